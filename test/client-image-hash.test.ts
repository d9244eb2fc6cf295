// The client's imageHash (client/, issue 27 point 2): the hash the gate's tool
// prints, unchanged from the hashes banked before the client existed, and one a
// real gate's image bank matches when a listing carries it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { GateClient, imageHash } from '../client/src/index.js';
import { repoPath } from '../src/config/repo-root.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { scene } from './helpers/scene-image.js';
import { admin } from './helpers/test-gate.js';

const png = (seed: number): Promise<Buffer> => sharp(scene(seed)).png().toBuffer();

describe("the client's image hash", () => {
  it("equals what the gate's tool prints, for bytes, a view into bytes and a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-hash-'));
    try {
      for (const [name, bytes] of [
        ['photo.png', await png(42)],
        [
          'photo.jpg',
          await sharp(await png(7))
            .jpeg({ quality: 60 })
            .toBuffer(),
        ],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, bytes);
        const tool = spawnSync(process.execPath, [repoPath('dist', 'scripts', 'gate-hash.js'), file], { encoding: 'utf8' });
        assert.equal(tool.status, 0, tool.stderr);
        const hash = await imageHash(bytes);
        assert.equal(tool.stdout, `${hash}  ${file}\n`);
        // The bytes as a view into a larger buffer, as a multipart upload hands them over.
        const padded = new Uint8Array(bytes.length + 16);
        padded.set(bytes, 8);
        assert.equal(await imageHash(padded.subarray(8, 8 + bytes.length)), hash);
        assert.equal(await imageHash(file), hash);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the hash the gate computed before the client existed (banks hold such hashes)', async () => {
    // Computed by src/fingerprint/image-phash.ts at 0d3aac3, before it moved to the client (sharp 0.34.5, x86-64).
    assert.equal(await imageHash(await png(42)), 'ea95996a8d956ec0');
    assert.equal(
      await imageHash(
        await sharp(await png(42))
          .jpeg({ quality: 35 })
          .toBuffer(),
      ),
      'ea95996a9d956ac0',
    );
    assert.equal(await imageHash(await png(7919)), 'b8b44ba51ae1c3c7');
  });

  describe('on a real gate', () => {
    const fixture = gateFixture();
    it('blocks a listing whose image is a recompressed, resized copy of a banked one, and not another image', { timeout: 30_000 }, async () => {
      const client = new GateClient({ baseUrl: fixture.gate.url });
      const original = await png(1234);
      const banked = await fixture.gate.post('/v1/admin/fingerprints/images', { entries: [{ ref: 'client-hero', phash: await imageHash(original) }] }, admin());
      assert.equal(banked.status, 200);
      const copy = await sharp(original).resize(300, 225).jpeg({ quality: 50 }).toBuffer();
      const listing = { listingId: 'CH1', sellerId: 's-ch', title: 'leather handbag', images: [{ phash: await imageHash(copy) }] };
      // A bank change is live within a second (each instance indexes its banks on a thread of its own).
      const until = Date.now() + 5000;
      let answer = await client.check(listing);
      while (answer.verdict !== 'block' && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await client.check(listing);
      }
      assert.equal(answer.verdict, 'block');
      assert.deepEqual(
        answer.reasons.find((r) => r.code === 'image_fingerprint'),
        { code: 'image_fingerprint', ref: 'client-hero', field: 'images[0].phash' },
      );
      const other = await client.check({ ...listing, listingId: 'CH2', images: [{ phash: await imageHash(await png(99)) }] });
      assert.equal(
        other.reasons.some((r) => r.code === 'image_fingerprint'),
        false,
      );
    });
  });
});
