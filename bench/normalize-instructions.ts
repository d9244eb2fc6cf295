// A fixed normalization workload for counting instructions with callgrind: one
// 1 KB listing (Latin or CJK, the texts of normalize-ab.ts) normalized N times by
// the build in ROOT. Only the native call is counted:
//   valgrind --tool=callgrind --toggle-collect='native_rules::Normalizer::Normalize(*' \
//     node dist/bench/normalize-instructions.js ROOT latin|cjk offsets|plain 200
// then instructions per call = the "summary" line of callgrind.out.<pid> / 200.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

type NormalizeModule = typeof import('../src/normalize/normalize-text.js');

const latin = 'Castrol engine oil 4L brand new free shipping, comes with box and dust bag. L.V wallet Ｎｉｋｅ '.repeat(20).slice(0, 1024);
const cjk = '路易威登官方旗舰店 手提包 正品保证 全国包邮到家，工厂直销 皮料和專櫃一致 '.repeat(40).slice(0, 1024);

const [root, script, mode, count] = process.argv.slice(2);
if (root === undefined || (script !== 'latin' && script !== 'cjk') || (mode !== 'offsets' && mode !== 'plain')) {
  throw new Error('usage: normalize-instructions.js ROOT latin|cjk offsets|plain [N=200]');
}
const normalize = (await import(pathToFileURL(join(root, 'dist/src/normalize/normalize-text.js')).href)) as NormalizeModule;
const normalizer = normalize.prepareNormalizer();
const text = script === 'cjk' ? cjk : latin;
for (let i = 0; i < Number(count ?? 200); i++) normalizer.normalize(text, mode === 'offsets');
