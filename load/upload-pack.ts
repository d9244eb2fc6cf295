// Uploads a pack file to a gate (PUT /v1/admin/pack) and prints the seconds it
// took. A process of its own, so that sending a 100 MB body does not stall the
// load generator's event loop and show up as the gate's latency.
// Usage: node dist/load/upload-pack.js <url> <pack.json> [--on-newline]   (admin token in GATE_ADMIN_TOKEN)
// With --on-newline it reads the file, then waits for a line on its standard input
// before uploading (it prints `ready` once it waits): started ahead, its own start-up
// costs nothing during the swap, nor during the run before it.
import { readFileSync } from 'node:fs';

const [url, file, flag] = process.argv.slice(2);
if (!url || !file) {
  console.error('usage: upload-pack.js <url of /v1/admin/pack> <pack file>');
  process.exit(2);
}
const body = readFileSync(file);
if (flag === '--on-newline') {
  console.log('ready');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
  });
  process.stdin.pause();
}
const started = performance.now();
const response = await fetch(url, {
  method: 'PUT',
  headers: { authorization: `Bearer ${process.env.GATE_ADMIN_TOKEN ?? ''}`, 'content-type': 'application/json' },
  body,
});
const text = await response.text();
if (response.status !== 200) {
  console.error(`upload failed: ${response.status} ${text}`);
  process.exit(1);
}
console.log(`uploaded in ${((performance.now() - started) / 1000).toFixed(2)} s`);
