// npm run load:state: what checks leave in Redis (issue 23, point 4). For each mix
// (genuine: real Taobao titles, nearly all allowed; review-heavy: the labelled dev
// corpus), STATE_LISTINGS unique listings (20,000) at STATE_RATE (2,000/s), sellers
// reused (STATE_SELLERS, 2,000), into a fresh Redis configured as the gate's own:
// bytes and keys per listing by key family, and the projection to 100M listings a
// day at the configured windows. Then a soak (STATE_SOAK_MINUTES, 6; 0 skips) with
// windows of 2 minutes: Redis used_memory sampled every 10 s, flat once the window
// and a period have passed. Last, the ceilings of the families that live in one
// hash slot (load/slot-ceilings.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import { familyUsage, type FamilyBound, type FamilyUsage } from './state-families.js';
import { measureSlotCeilings, type SlotCeilings } from './slot-ceilings.js';
import { leastSquaresSlope } from './least-squares-slope.js';

const LISTINGS = Number(process.env.STATE_LISTINGS ?? 20_000);
const RATE = Number(process.env.STATE_RATE ?? 2_000);
const SELLERS = Number(process.env.STATE_SELLERS ?? 2_000);
const SOAK_MINUTES = Number(process.env.STATE_SOAK_MINUTES ?? 6);
const SOAK_RATE = Number(process.env.STATE_SOAK_RATE ?? 300);
const RETENTION_DAYS = 180;
const ALLOW_RETENTION_DAYS = 30;
const SOAK_WINDOW_DAYS = 120 / 86_400;
const PER_DAY = 100_000_000;

type Listing = Record<string, unknown>;
interface Mix {
  name: string;
  listings: Listing[];
  source: string;
}

const sharedDir = process.env.GATE_SHARED_DIR ?? repoPath('..', 'shared');
const sharedPack = join(sharedDir, 'packs', 'dev-pack.json');
const pack = existsSync(sharedPack) ? sharedPack : repoPath('src', 'pack', 'demo-pack.json');

function genuineMix(): Mix {
  const path = join(sharedDir, 'real-titles', 'taobao-titles.jsonl');
  if (!existsSync(path)) {
    const words = ['cotton', 'linen', 'tote', 'wallet', 'scarf', 'mug', 'lamp', 'notebook', 'sandals', 'jacket'];
    const listings = Array.from({ length: 5000 }, (_, i) => ({
      title: `${words[i % 10]} ${words[(i * 7) % 10]} ${words[(i * 3) % 10]} no. ${i}`,
      category: 'general',
      price: { amount: 99, currency: 'CNY' },
    }));
    return { name: 'genuine', listings, source: `generated plain listings (${path} is not there)` };
  }
  const listings = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => ({ title: (JSON.parse(line) as { title: string }).title, category: 'general', price: { amount: 99, currency: 'CNY' } }));
  return { name: 'genuine', listings, source: `${listings.length} real Taobao titles (../shared/real-titles)` };
}

function reviewHeavyMix(): Mix {
  const shared = join(sharedDir, 'corpus', 'dev.jsonl');
  const path = existsSync(shared) ? shared : repoPath('test', 'fixtures', 'mini-corpus.jsonl');
  const listings = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { listing: Listing }).listing);
  return {
    name: 'review-heavy',
    listings,
    source: `${listings.length} labelled listings of ${path === shared ? '../shared/corpus/dev.jsonl' : `test/fixtures/mini-corpus.jsonl (${shared} is not there)`}`,
  };
}

async function startRedis(): Promise<{ redis: EmbeddedRedis; url: string; admin: Redis }> {
  const password = randomBytes(16).toString('hex');
  const redis = new EmbeddedRedis({
    dataDir: mkdtempSync(join(tmpdir(), 'gate-state-redis-')),
    extraUsers: [{ name: 'state-admin', password: `#${createHash('sha256').update(password).digest('hex')}`, rules: ['~*', '&*', '+@all'] }],
  });
  await redis.start();
  return { redis, url: redis.url, admin: new Redis(`redis://state-admin:${password}@127.0.0.1:${redis.port}`) };
}

const usedMemory = async (admin: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? NaN);

async function withGate<T>(redisUrl: string, env: Record<string, string>, run: (url: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const gate = await startProcess(
    repoPath('dist', 'src', 'main.js'),
    { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, GATE_PACK: pack, GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-state-')), ...env },
    /listening on/,
  );
  try {
    return await run(`http://127.0.0.1:${port}`);
  } finally {
    await stopProcess(gate);
  }
}

/** Sends `amount` listings of the mix (or for `seconds`), each with a new id, sellers reused. */
async function send(url: string, mix: Mix, tag: string, rate: number, limit: { amount: number } | { duration: number }): Promise<number> {
  let i = 0;
  const result = await autocannon({
    url: `${url}/v1/check`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 10,
    overallRate: rate,
    ...limit,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ ...mix.listings[i % mix.listings.length], listingId: `${tag}-${i}`, sellerId: `${tag}-s${i++ % SELLERS}` }),
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${mix.name}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
  return result.requests.total;
}

// Pending items are as many as reviewers have not decided yet: not a window of traffic, not projected.
const WINDOW_DAYS: Record<FamilyBound, number | undefined> = {
  retention: RETENTION_DAYS,
  'allow-window': ALLOW_RETENTION_DAYS,
  'two days': 2,
  'pending items': undefined,
  capped: undefined,
  'not traffic': undefined,
  'not yet bounded': undefined,
};

interface MixResult {
  mix: string;
  source: string;
  listings: number;
  bytesPerListing: number;
  keysPerListing: number;
  families: Array<FamilyUsage & { bytesPerListing: number }>;
  /** Steady state at 100M listings a day: the families with a window, in GiB. */
  projectedGiB: number;
  /** What grows each day without an end yet, in GiB per day. */
  unboundedGiBPerDay: number;
}

async function measureMix(mix: Mix): Promise<MixResult> {
  const { redis, url, admin } = await startRedis();
  try {
    const { listings, before } = await withGate(url, {}, async (gate) => {
      await new Promise((r) => setTimeout(r, 1000));
      const before = { memory: await usedMemory(admin), keys: await admin.dbsize() };
      return { listings: await send(gate, mix, `st-${mix.name}`, RATE, { amount: LISTINGS }), before };
    });
    // Read once the gate has stopped: it has written all it owed (review items, records) by then.
    const after = await usedMemory(admin);
    const keys = (await admin.dbsize()) - before.keys;
    const families = (await familyUsage(admin)).map((f) => ({ ...f, bytesPerListing: f.bytes / listings }));
    const projectedGiB = families.reduce((sum, f) => sum + f.bytesPerListing * PER_DAY * (WINDOW_DAYS[f.bound] ?? 0), 0) / 2 ** 30;
    const unboundedGiBPerDay = families.filter((f) => f.bound === 'not yet bounded').reduce((sum, f) => sum + f.bytesPerListing * PER_DAY, 0) / 2 ** 30;
    return {
      mix: mix.name,
      source: mix.source,
      listings,
      bytesPerListing: (after - before.memory) / listings,
      keysPerListing: keys / listings,
      families,
      projectedGiB,
      unboundedGiBPerDay,
    };
  } finally {
    admin.disconnect();
    await redis.stop();
  }
}

async function soak(mix: Mix): Promise<Array<{ minute: number; usedMemory: number }>> {
  const { redis, url, admin } = await startRedis();
  const samples: Array<{ minute: number; usedMemory: number }> = [];
  try {
    await withGate(url, { GATE_ALLOW_RETENTION_DAYS: String(SOAK_WINDOW_DAYS), GATE_RETENTION_DAYS: String(SOAK_WINDOW_DAYS) }, async (gate) => {
      const started = performance.now();
      const sampler = setInterval(
        () => void usedMemory(admin).then((bytes) => samples.push({ minute: (performance.now() - started) / 60_000, usedMemory: bytes })),
        10_000,
      );
      try {
        await send(gate, mix, 'soak', SOAK_RATE, { duration: SOAK_MINUTES * 60 });
      } finally {
        clearInterval(sampler);
      }
    });
  } finally {
    admin.disconnect();
    await redis.stop();
  }
  return samples;
}

async function slotCeilings(): Promise<SlotCeilings> {
  const { redis, url, admin } = await startRedis();
  const client = new Redis(url);
  try {
    return await measureSlotCeilings(client);
  } finally {
    client.disconnect();
    admin.disconnect();
    await redis.stop();
  }
}

const results = [await measureMix(genuineMix()), await measureMix(reviewHeavyMix())];
const samples = SOAK_MINUTES > 0 ? await soak(genuineMix()) : [];
const ceilings = await slotCeilings();
// The window (2 min) and a period (1 min) after the start, records begin to expire.
const steady = samples.filter((s) => s.minute >= 3.5);
const lines = [
  `# State per listing, ${new Date().toISOString()}: ${LISTINGS} listings per mix at ${RATE}/s, ${SELLERS} sellers, pack ${pack.replace(`${repoPath()}/`, '')}`,
  '',
  `Projection to ${PER_DAY / 1e6}M listings a day with blocks and reviews kept ${RETENTION_DAYS} days and allows ${ALLOW_RETENTION_DAYS}; families capped by length or bounded by something other than traffic (sellers, banks, packs) are not projected.`,
  '',
  '| mix | bytes per listing | keys per listing | projected GiB (windows) | GiB a day not yet bounded |',
  '|---|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.mix}: ${r.source} | ${r.bytesPerListing.toFixed(0)} | ${r.keysPerListing.toFixed(2)} | ${r.projectedGiB.toFixed(0)} | ${r.unboundedGiBPerDay.toFixed(1)} |`,
  ),
  '',
  ...results.flatMap((r) => [
    `## ${r.mix}: by key family`,
    '',
    '| family | bound | keys | bytes per listing |',
    '|---|---|---:|---:|',
    ...r.families.filter((f) => f.bytesPerListing >= 0.5).map((f) => `| \`${f.family}\` | ${f.bound} | ${f.keys} | ${f.bytesPerListing.toFixed(1)} |`),
    '',
  ]),
  ...(samples.length > 0
    ? [
        `## Soak: ${SOAK_MINUTES} min of genuine listings at ${SOAK_RATE}/s, records kept 2 min (GATE_ALLOW_RETENTION_DAYS and GATE_RETENTION_DAYS; periods of a minute)`,
        '',
        `used_memory MiB every 10 s: ${samples.map((s) => (s.usedMemory / 2 ** 20).toFixed(1)).join(', ')}`,
        '',
        `slope after minute 3.5 (window and a period gone): ${(leastSquaresSlope(steady.map((sample) => [sample.minute, sample.usedMemory] as const)) / 2 ** 20).toFixed(3)} MiB per minute, against ${((SOAK_RATE * 60 * (results[0]?.bytesPerListing ?? 0)) / 2 ** 20).toFixed(2)} MiB per minute the same checks would add if nothing expired`,
      ]
    : ['(soak skipped: STATE_SOAK_MINUTES=0)']),
  '',
  '## One-slot families, alone on one Redis (100M listings a day: 1,200 a second on average, 12,000 at peak)',
  '',
  `- \`{rings}\`, a link for every check: ${ceilings.ringLinksPerSecond.toFixed(0)} a second in batches of 10 (5 ms at 2,000/s), ${ceilings.ringLinksPerSecondAtPeak.toFixed(0)} in batches of 60 (5 ms at 12,000/s)`,
  `- \`{review}\`, an item for each listing sent to review, 16 in flight: ${ceilings.reviewItemsPerSecond.toFixed(0)} a second`,
];
const report = lines.join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(
  repoPath('load-results', `state-${stamp}.json`),
  JSON.stringify(
    { listings: LISTINGS, rate: RATE, sellers: SELLERS, pack, results, soak: { minutes: SOAK_MINUTES, rate: SOAK_RATE, samples }, ceilings },
    null,
    2,
  ),
);
writeFileSync(repoPath('load-results', `state-${stamp}.md`), `${report}\n`);
