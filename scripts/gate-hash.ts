// npm run hash -- <image files...>   (or: npx gate-hash <files...>)
// Prints "<phash>  <file>" for each image, the hash the gate's image fingerprints use.
import { imagePhash } from '../src/fingerprint/image-phash.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run hash -- <image files...>\n');
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  try {
    process.stdout.write(`${await imagePhash(file)}  ${file}\n`);
  } catch (error) {
    failed++;
    process.stderr.write(`${file}: cannot hash: ${(error as Error).message}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
