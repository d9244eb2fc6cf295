// The cost view's results as markdown (a table per figure: gate | thread-app |
// echo, and the idle check split into the server's phases) and as a chart of
// latency quantiles, idle and at the fixed rate, on a logarithmic axis.
import type { CostFigures, CostResults, CostTargetName, TargetCost } from './cost-results.js';
import { lineChartSvg } from './svg-chart.js';

const TARGETS: readonly CostTargetName[] = ['gate', 'thread-app', 'echo'];
const COLORS: Record<CostTargetName, string> = { gate: '#d62728', 'thread-app': '#1f77b4', echo: '#2ca02c' };

/** Microseconds as printed: whole above 10, one decimal below; "—" where there is no figure. */
function us(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function ms(value: number): string {
  return Number.isNaN(value) ? '—' : value.toFixed(2);
}

function byTarget(results: CostResults): Array<TargetCost | undefined> {
  return TARGETS.map((name) => results.targets.find((t) => t.target === name));
}

function row(label: string, cells: Array<TargetCost | undefined>, cell: (t: TargetCost) => string): string {
  return `| ${label} | ${cells.map((t) => (t ? cell(t) : '—')).join(' | ')} |`;
}

function cpuTable(results: CostResults): string[] {
  const cells = byTarget(results);
  const m = (t: TargetCost): CostFigures => t.median;
  const ranks = Math.max(0, ...results.targets.map((t) => t.median.cpu.named.length));
  const lines = [
    `| figure | ${TARGETS.join(' | ')} |`,
    `|---|${TARGETS.map(() => '---:').join('|')}|`,
    row('checks answered (2xx) per round', cells, (t) => m(t).answered.toFixed(0)),
    row('**CPU µs per answered check, total** (process + children)', cells, (t) => `**${us(m(t).cpu.total)}**`),
    row('event loop (main thread)', cells, (t) => us(m(t).cpu.eventLoop)),
    row('&nbsp;&nbsp;of which GC pauses', cells, (t) => us(m(t).cpu.eventLoopGc)),
    ...Array.from({ length: ranks }, (_, i) =>
      row(`gate-* thread ${i + 1}`, cells, (t) => {
        const thread = m(t).cpu.named[i];
        return thread ? `${us(thread.micros)} (${thread.name})` : '—';
      }),
    ),
    row('other threads (V8 helpers, libuv pool, ended)', cells, (t) => us(m(t).cpu.other)),
    row('redis-server (child)', cells, (t) => us(m(t).cpu.redis)),
  ];
  if (results.targets.some((t) => t.median.cpu.otherChildren > 0)) lines.push(row('other child processes', cells, (t) => us(m(t).cpu.otherChildren)));
  lines.push(
    row('load generator: µs per check', cells, (t) => us(m(t).generator.microsPerCheck)),
    row('load generator: share of a core', cells, (t) => `${(m(t).generator.cpuShareOfCore * 100).toFixed(0)}%`),
    row('load generator: event-loop delay p99 ms', cells, (t) => ms(m(t).generator.loopDelayP99Ms)),
    row('machine steal', cells, (t) => `${(m(t).generator.machineSteal * 100).toFixed(1)}%`),
    row(`latency at ${results.rate}/s p50 / p99 / p99.9 / max ms`, cells, (t) =>
      [m(t).latencyMs.p50, m(t).latencyMs.p99, m(t).latencyMs.p999, m(t).latencyMs.max].map(ms).join(' / '),
    ),
    row('non-2xx / errors', cells, (t) => `${m(t).non2xx} / ${m(t).errors}`),
    row('idle: caller µs p50 / p99', cells, (t) => `${us(t.idle.callerMicros.p50)} / ${us(t.idle.callerMicros.p99)}`),
    row('idle: tookMicros p50 / p99', cells, (t) => (t.idle.tookMicros ? `${us(t.idle.tookMicros.p50)} / ${us(t.idle.tookMicros.p99)}` : '—')),
  );
  return lines;
}

function phaseLines(target: TargetCost, checks: number): string[] {
  const { idle } = target;
  const header = `### ${target.target}: ${idle.checks} checks${idle.non2xx > 0 ? `, ${idle.non2xx} not 2xx` : ''}`;
  const totals = [
    `| tookMicros (the server's own) | ${idle.tookMicros ? `${us(idle.tookMicros.p50)} | ${us(idle.tookMicros.p99)} | ${idle.checks}` : '— | — | 0'} |`,
    `| caller (write to last byte read) | ${us(idle.callerMicros.p50)} | ${us(idle.callerMicros.p99)} | ${idle.checks} |`,
  ];
  const table = ['| phase | median µs | p99 µs | answers with it |', '|---|---:|---:|---:|'];
  if (!idle.phases) return [header, '', 'no server-timing from this server', '', ...table, ...totals, ''];
  const phases = idle.phases.map((p) => `| ${p.name} | ${us(p.p50)} | ${us(p.p99)} | ${p.seen} of ${checks} |`);
  return [header, '', ...table, ...phases, ...totals, ''];
}

function gateNotes(results: CostResults): string[] {
  const gate = results.targets.find((t) => t.target === 'gate')?.median.gate;
  if (!gate) return [];
  const list = (record: Record<string, number>, unit: string): string =>
    Object.entries(record)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${unit === 'µs' ? us(v) : v.toFixed(0)}${unit === 'µs' ? ' µs' : ''}`)
      .join(', ') || 'none';
  return [
    `Gate's GC pauses per check by kind (nodejs_gc_duration_seconds_sum, pauses' wall time on the main thread): ${list(gate.gcMicrosByKind, 'µs')}.`,
    `Gate's verdicts per round: ${list(gate.verdicts, '')}; degraded signals: ${gate.degradedSignals.toFixed(0)}.`,
  ];
}

function roundsTable(results: CostResults): string[] {
  const cells = byTarget(results);
  const lines = [`| round | ${TARGETS.map((t) => `${t} µs total / p99 ms`).join(' | ')} |`, `|---:|${TARGETS.map(() => '---:').join('|')}|`];
  for (let round = 1; round <= results.rounds; round++) {
    lines.push(
      `| ${round} | ${cells
        .map((t) => {
          const r = t?.rounds.find((x) => x.round === round);
          return r ? `${us(r.cpu.total)} / ${ms(r.latencyMs.p99)}` : '—';
        })
        .join(' | ')} |`,
    );
  }
  return lines;
}

export function costMarkdown(results: CostResults, chartName: string): string {
  const idleChecks = results.idle.checksPerRound * results.rounds;
  return [
    `# CPU per check and an idle check's waits, ${results.at}`,
    '',
    `${results.pack} pack; checks from ${results.corpus}. Each server in a process of its own, driven in turn at ${results.rate} checks/s (open loop, at most ${results.connections} connections) for ${results.seconds} s after a ${results.warmupSeconds} s warm-up, ${results.rounds} round(s); the load generator runs on the same cores. CPU is user + system time from /proc (10 ms ticks) by thread and child process over the measured span, per check answered 2xx. Each figure is the median of the rounds on its own, so the parts need not add up to the total.`,
    '',
    `## CPU µs per answered check at ${results.rate}/s (median of ${results.rounds})`,
    '',
    ...cpuTable(results),
    '',
    ...gateNotes(results),
    '',
    `## An idle check, split into the server's phases (µs)`,
    '',
    `${results.idle.checksPerRound} checks per round one at a time on one connection, ${results.idle.gapMs} ms apart, each a listing of its own, with \`x-gate-timing: 1\`; the phases are the answer's \`server-timing\` header, whatever names it gives; all rounds together.`,
    '',
    ...results.targets.flatMap((t) => phaseLines(t, idleChecks)),
    '## Rounds',
    '',
    ...roundsTable(results),
    '',
    `chart: ${chartName}`,
  ].join('\n');
}

export function costChartSvg(results: CostResults): string {
  const categories = ['p50', 'p90', 'p99', 'p99.9', 'max'];
  const series = results.targets.flatMap((t) => {
    const color = COLORS[t.target];
    const loaded = t.median.latencyMs;
    const idle = t.idle.callerMicros;
    return [
      { name: `${t.target} at ${results.rate}/s`, values: [loaded.p50, loaded.p90, loaded.p99, loaded.p999, loaded.max], color },
      { name: `${t.target} idle`, values: [idle.p50, idle.p90, idle.p99, idle.p999, idle.max].map((v) => v / 1000), dashed: true, color },
    ];
  });
  return lineChartSvg({
    title: `Caller's latency, idle (one at a time) and at ${results.rate}/s (${results.pack} pack)`,
    xLabel: 'quantile (idle: one check at a time; fixed rate: open loop, median of rounds)',
    yLabel: 'latency (ms, log scale)',
    categories,
    series,
    logY: true,
    logSubTicks: true,
  });
}
