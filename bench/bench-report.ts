// Prints a tinybench run as a table of per-operation cost, and the ratio of each
// task to the first one of the same bench (the comparator).
import type { Bench } from 'tinybench';

export function report(title: string, bench: Bench, unit: { label: string; perOp: number } = { label: 'op', perOp: 1 }): void {
  const rows = bench.tasks.map((task) => {
    const latency = task.result?.latency;
    const meanUs = ((latency?.mean ?? NaN) * 1000) / unit.perOp;
    return { task: task.name, meanUs, p99Us: ((latency?.p99 ?? NaN) * 1000) / unit.perOp, samples: latency?.samples.length ?? 0 };
  });
  const base = rows[0]?.meanUs ?? NaN;
  console.log(`\n## ${title}\n`);
  console.log(`| task | mean µs/${unit.label} | p99 µs/${unit.label} | × first | samples |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(`| ${row.task} | ${row.meanUs.toFixed(2)} | ${row.p99Us.toFixed(2)} | ${(row.meanUs / base).toFixed(2)} | ${row.samples} |`);
  }
}
