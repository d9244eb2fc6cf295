// The load suite's own logic: the scale pack is a valid pack of the sizes asked
// for (and the same every time), its listing stream hits the pack in the stated
// mix, the baseline comparison flags exactly the regressions it names, and the
// open-loop generator sends evenly spaced requests and counts a stall from when
// each delayed request fell due.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compareWithBaseline, type LoadResults, type Run } from '../load/load-baseline.js';
import { listingStream, scalePack } from '../load/scale-pack.js';
import { lineChartSvg } from '../load/svg-chart.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runOpenLoop } from '../load/open-loop-load.js';
import { histogramBuckets, p99Bucket } from '../load/metrics-histogram.js';

const SMALL = { brands: 2000, indicators: 50, sellers: 5000, images: 5000, texts: 500 };

describe('load suite', () => {
  it('generates a valid scale pack of the asked sizes, deterministically', () => {
    const data = scalePack(SMALL);
    const validation = validatePack(JSON.parse(JSON.stringify(data.pack)));
    assert.ok(validation.ok, validation.ok ? '' : JSON.stringify(validation.issues.slice(0, 3)));
    assert.equal(data.pack.brands.length, 2000);
    assert.ok(
      data.pack.brands.every((b) => /[\u4e00-\u9fff]/.test(b.names[1] ?? '')),
      'every brand has a CJK alias',
    );
    assert.equal(data.pack.lists.sellers.length, 5000);
    assert.equal(data.pack.fingerprints.images.length, 5000);
    assert.equal(data.pack.fingerprints.texts.length, 500);
    assert.deepEqual(scalePack(SMALL).pack.brands.slice(0, 5), data.pack.brands.slice(0, 5));
  });

  it('streams listings in the stated mix', () => {
    const data = scalePack(SMALL);
    const stream = listingStream(data, 10_000);
    const sellers = new Set(data.pack.lists.sellers);
    const images = new Set(data.pack.fingerprints.images.map((i) => i.phash));
    const share = (test: (l: (typeof stream)[number]) => boolean): number => stream.filter(test).length / stream.length;
    assert.ok(Math.abs(share((l) => sellers.has(l.sellerId)) - 0.03) < 0.01);
    assert.ok(Math.abs(share((l) => images.has(l.images?.[0]?.phash ?? '')) - 0.02) < 0.01);
    assert.equal(new Set(stream.map((l) => l.listingId)).size, stream.length);
  });

  it('flags a throughput drop over 5% and a p99 rise over 10%, and nothing else', () => {
    const run = (rate: number | 'max', rps: number, p99: number): Run => ({
      target: 'gate',
      rate,
      requestsPerSecond: rps,
      p50: 1,
      p99,
      p999: p99,
      max: p99,
      non2xx: 0,
      errors: 0,
    });
    const results = (runs: Run[]): LoadResults => ({
      at: '',
      pack: 'demo',
      connections: 10,
      duration: 10,
      gateStartSeconds: 1,
      runs,
      memory: { rssMiB: 1, peakRssMiB: 1 },
    });
    const baseline = results([run('max', 1000, 10), run(1000, 1000, 4)]);
    assert.equal(compareWithBaseline(results([run('max', 960, 10.9), run(1000, 1000, 4.3)]), baseline).regressions, 0);
    const worse = compareWithBaseline(results([run('max', 940, 10), run(1000, 1000, 4.5)]), baseline);
    assert.equal(worse.regressions, 2);
    assert.equal(worse.compared, 2);
    assert.ok(worse.lines.some((l) => l.includes('max throughput') && l.includes('REGRESSION')));
    assert.ok(worse.lines.some((l) => l.includes('p99 ms at 1000') && l.includes('REGRESSION')));
    const unrelated = compareWithBaseline(results([run(2000, 2000, 4)]), results([run(500, 500, 4)]));
    assert.equal(unrelated.compared, 0);
    assert.ok(!unrelated.lines.some((l) => l.includes('no regressions')), 'a comparison of nothing does not say "no regressions"');
  });

  it('draws a chart with one line per series', () => {
    const svg = lineChartSvg({
      title: 'T <1>',
      xLabel: 'x',
      yLabel: 'y',
      categories: ['a', 'b', 'c'],
      series: [
        { name: 'one', values: [1, 2, 3] },
        { name: 'two', values: [3, null, 1], dashed: true },
      ],
    });
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.ok(svg.includes('T &lt;1&gt;'));
    assert.ok(svg.startsWith('<svg'));
  });

  it('draws a log axis with grid lines at powers of ten, and at 2 and 5 times them when asked', () => {
    const chart = { title: 't', xLabel: 'x', yLabel: 'y', categories: ['a', 'b'], series: [{ name: 's', values: [0.3, 30] }], logY: true };
    const labels = (svg: string): string[] => [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1] ?? '');
    assert.deepEqual(labels(lineChartSvg(chart)), ['1.0', '10.0']);
    assert.deepEqual(labels(lineChartSvg({ ...chart, logSubTicks: true })), ['0.50', '1.0', '2.0', '5.0', '10.0', '20.0']);
  });

  it('sends requests evenly spaced at the asked rate, and counts a server stall from when each request fell due', async () => {
    const arrivals: number[] = [];
    let stallUntil = 0;
    const server = createServer((request, response) => {
      arrivals.push(performance.now());
      request.resume();
      request.on('end', () => {
        const wait = Math.max(0, stallUntil - performance.now());
        setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'), wait);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const steady = await runOpenLoop({ port, path: '/', rate: 200, seconds: 1, bodies: ['{}'], maxConnections: 10 }).done;
      assert.equal(steady.answers.length, 200);
      assert.ok(steady.answers.every((a) => a.status === 200));
      // 200 req/s is 20 in every 100 ms, over the whole second; autocannon's rate
      // would send all 200 back to back at its start. (The bounds leave room for a
      // busy machine delaying the generator's timer, which then sends what fell due.)
      const span = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
      assert.ok(span >= 800, `the requests arrived over ${span.toFixed(0)} ms, not the whole second`);
      let busiest = 0;
      for (let i = 0, j = 0; i < arrivals.length; i++) {
        while ((arrivals[i] ?? 0) - (arrivals[j] ?? 0) >= 100) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      assert.ok(busiest <= 60, `${busiest} requests arrived within 100 ms (20 expected)`);
      // The server stalls for 300 ms: requests falling due meanwhile are late by how long they waited.
      stallUntil = performance.now() + 300;
      const stalled = await runOpenLoop({ port, path: '/', rate: 100, seconds: 0.5, bodies: ['{}'], maxConnections: 50 }).done;
      assert.equal(stalled.answers.length, 50);
      const slowest = Math.max(...stalled.answers.map((a) => a.latencyMs));
      assert.ok(slowest >= 250, `the first request waited out the stall (${slowest.toFixed(0)} ms)`);
    } finally {
      server.close();
    }
  });
  it('finds the bucket holding the p99 of what a histogram observed between two readings', () => {
    const reading = (counts: [number, number, number, number]): string =>
      [
        '# TYPE gate_x_seconds histogram',
        `gate_x_seconds_bucket{le="0.001"} ${counts[0]}`,
        `gate_x_seconds_bucket{le="0.0025"} ${counts[1]}`,
        `gate_x_seconds_bucket{le="0.05"} ${counts[2]}`,
        `gate_x_seconds_bucket{le="+Inf"} ${counts[3]}`,
        `gate_x_seconds_count ${counts[3]}`,
        'gate_y_seconds_bucket{le="0.001"} 7',
      ].join('\n');
    // Before the run: 1,000 fast observations. During it: 100, of which 98 within
    // 1 ms and 2 within 2.5 ms, so the run's p99 is in the 2.5 ms bucket although
    // the cumulative counts put 99% of everything under 1 ms.
    const before = histogramBuckets(reading([1000, 1000, 1000, 1000]), 'gate_x_seconds');
    const after = histogramBuckets(reading([1098, 1100, 1100, 1100]), 'gate_x_seconds');
    assert.equal(before.size, 4);
    assert.equal(after.get(Infinity), 1100);
    assert.equal(p99Bucket(before, after), '<= 2.5');
    assert.equal(p99Bucket(before, histogramBuckets(reading([1090, 1090, 1090, 1100]), 'gate_x_seconds')), '> 50');
    assert.equal(p99Bucket(before, before), '-');
    assert.equal(histogramBuckets(reading([1, 1, 1, 1]), 'gate_z_seconds').size, 0);
  });
});
