// The machine's CPU time from /proc/stat, to say how much of it the hypervisor
// took (steal: time a virtual CPU was ready to run and the host ran something
// else). On a shared VM that time shows up as latency in every process here, the
// load generator's and the echo's included, and it comes and goes.
import { readFile } from 'node:fs/promises';

export interface CpuTicks {
  steal: number;
  total: number;
}

/** The machine's CPU time so far, in clock ticks summed over its CPUs; zeros where /proc/stat is not there. */
export async function readCpuTicks(): Promise<CpuTicks> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return { steal: 0, total: 0 };
  // user nice system idle iowait irq softirq steal (guest time is counted within user)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, n) => sum + n, 0) };
}

/** The share of the machine's CPU time between two readings that was stolen, 0..1 (NaN when nothing was read). */
export function stealShare(from: CpuTicks, to: CpuTicks): number {
  const total = to.total - from.total;
  return total > 0 ? (to.steal - from.steal) / total : NaN;
}
