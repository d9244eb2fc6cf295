// The hashing tool on images this test makes: resized, recompressed and slightly
// cropped copies stay within distance 8 of the original; different images do not.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import sharp from 'sharp';
import { imagePhash } from '../src/fingerprint/image-phash.js';
import { hammingDistance, parsePhash } from '../src/fingerprint/phash.js';
import { repoPath } from '../src/config/repo-root.js';
import { scene } from './helpers/scene-image.js';

const distance = (a: string, b: string): number => {
  const x = parsePhash(a);
  const y = parsePhash(b);
  return hammingDistance(x.hi, x.lo, y.hi, y.lo);
};

it('keeps resized, recompressed and slightly cropped copies within distance 8, and different images apart', async () => {
  const originals = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((seed) =>
      sharp(scene(seed * 7919))
        .png()
        .toBuffer(),
    ),
  );
  const hashes = await Promise.all(originals.map((o) => imagePhash(o)));
  for (const [i, original] of originals.entries()) {
    const base = hashes[i] ?? '';
    const copies = {
      resized: await sharp(original).resize(200, 150).png().toBuffer(),
      upscaled: await sharp(original).resize(800, 600).jpeg({ quality: 90 }).toBuffer(),
      recompressed: await sharp(original).jpeg({ quality: 35 }).toBuffer(),
      cropped: await sharp(original).extract({ left: 8, top: 6, width: 384, height: 288 }).png().toBuffer(),
      brighter: await sharp(original).modulate({ brightness: 1.1 }).png().toBuffer(),
    };
    for (const [name, copy] of Object.entries(copies)) {
      const d = distance(base, await imagePhash(copy));
      assert.ok(d <= 8, `image ${i} ${name}: distance ${d}`);
    }
    for (let j = i + 1; j < hashes.length; j++) {
      const d = distance(base, hashes[j] ?? '');
      assert.ok(d > 8, `images ${i} and ${j} are different but ${d} apart`);
    }
  }
});

it('runs as a command on files, and reports a file it cannot read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-hash-'));
  try {
    const file = join(dir, 'photo.png');
    writeFileSync(file, await sharp(scene(42)).png().toBuffer());
    writeFileSync(join(dir, 'broken.png'), 'not an image');
    const ok = spawnSync(process.execPath, [repoPath('dist', 'scripts', 'gate-hash.js'), file], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^${await imagePhash(file)}  ${file}\\n$`));
    const bad = spawnSync(process.execPath, [repoPath('dist', 'scripts', 'gate-hash.js'), join(dir, 'broken.png')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /broken\.png: cannot hash/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
