// CPU time of a process by thread, and of its child processes, from /proc: what
// load:cost divides by the checks answered. CPU time, unlike throughput, holds when
// the load generator shares the cores. The threads are told apart by their name
// (comm): the event loop is the thread whose id is the process's, threads named
// `gate-*` are the gate's own (src/config/name-thread.ts: `gate-match` for the
// matching pool), and every other thread (V8's GC and compiler helpers, libuv's
// pool: all called "node") is "other". Children (the gate's redis-server) are found
// by their parent pid.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux port Node runs on). */
export const TICKS_PER_SECOND = 100;

export type ThreadKind = 'event-loop' | 'named' | 'other';

export interface ThreadTicks {
  tid: number;
  name: string;
  kind: ThreadKind;
  ticks: number;
}

export interface ChildTicks {
  pid: number;
  name: string;
  ticks: number;
}

export interface ProcessTicks {
  pid: number;
  /** The whole process, threads that have ended included. */
  ticks: number;
  /** Its children that have ended. */
  endedChildTicks: number;
  threads: ThreadTicks[];
  children: ChildTicks[];
}

export interface StatFields {
  name: string;
  ppid: number;
  /** utime + stime. */
  ticks: number;
  /** cutime + cstime: the children that have ended and been waited for. */
  endedChildTicks: number;
}

/** The fields of a /proc stat line that matter here; the name may hold spaces and parentheses. */
export function parseStat(line: string): StatFields {
  const close = line.lastIndexOf(')');
  const open = line.indexOf('(');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // After the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  const fields = line.slice(close + 2).split(' ');
  return {
    name: line.slice(open + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    endedChildTicks: Number(fields[13]) + Number(fields[14]),
  };
}

function readStat(path: string): StatFields | undefined {
  try {
    return parseStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // the thread or process ended between the listing and the read
  }
}

export function classifyThread(pid: number, tid: number, name: string, namedPrefix: string): ThreadKind {
  if (tid === pid) return 'event-loop';
  return name.startsWith(namedPrefix) ? 'named' : 'other';
}

/** A reading of `pid`'s threads and children now. */
export function readProcessTicks(pid: number, namedPrefix = 'gate-'): ProcessTicks {
  const own = readStat(`/proc/${pid}/stat`);
  if (!own) throw new Error(`no process ${pid} in /proc`);
  const threads: ThreadTicks[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readStat(`/proc/${pid}/task/${task}/stat`);
    const tid = Number(task);
    if (stat) threads.push({ tid, name: stat.name, kind: classifyThread(pid, tid, stat.name, namedPrefix), ticks: stat.ticks });
  }
  const children: ChildTicks[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (stat?.ppid === pid) children.push({ pid: Number(entry), name: stat.name, ticks: stat.ticks });
  }
  return { pid, ticks: own.ticks, endedChildTicks: own.endedChildTicks, threads, children };
}

export interface CpuSplit {
  /** The process and its children. */
  total: number;
  eventLoop: number;
  /** Each `gate-*` thread alive at both readings, by its CPU, most first. */
  named: Array<{ tid: number; name: string; ticks: number }>;
  /** Every other thread of the process, and the threads that ended between the readings. */
  other: number;
  /** Each child process alive at the second reading; one named "ended children" for those that ended meanwhile. */
  children: Array<{ pid: number; name: string; ticks: number }>;
}

/** CPU ticks spent between two readings of the same process, by class. */
export function cpuBetween(before: ProcessTicks, after: ProcessTicks): CpuSplit {
  const earlier = new Map(before.threads.map((t) => [t.tid, t.ticks]));
  let eventLoop = 0;
  let otherThreads = 0;
  let threadSum = 0;
  const named: CpuSplit['named'] = [];
  for (const thread of after.threads) {
    const ticks = thread.ticks - (earlier.get(thread.tid) ?? 0);
    threadSum += ticks;
    if (thread.kind === 'event-loop') eventLoop += ticks;
    else if (thread.kind === 'named') named.push({ tid: thread.tid, name: thread.name, ticks });
    else otherThreads += ticks;
  }
  // A thread that ended took its own figures with it; the process's own figure keeps them.
  const ended = Math.max(0, after.ticks - before.ticks - threadSum);
  const earlierChildren = new Map(before.children.map((c) => [c.pid, c.ticks]));
  const children = after.children.map((c) => ({ pid: c.pid, name: c.name, ticks: c.ticks - (earlierChildren.get(c.pid) ?? 0) }));
  // The ended ones' whole lives are in cutime; what they had spent at the first reading is not in this span.
  const alive = new Set(after.children.map((c) => c.pid));
  const endedBefore = before.children.filter((c) => !alive.has(c.pid)).reduce((sum, c) => sum + c.ticks, 0);
  const endedChildren = after.endedChildTicks - before.endedChildTicks - endedBefore;
  if (endedChildren > 0) children.push({ pid: 0, name: 'ended children', ticks: endedChildren });
  // The process's own line is read before its threads', which may have gone on meanwhile: never less than its parts.
  const processTicks = Math.max(after.ticks - before.ticks, threadSum);
  return {
    total: processTicks + children.reduce((sum, c) => sum + c.ticks, 0),
    eventLoop,
    named: named.sort((a, b) => b.ticks - a.ticks),
    other: otherThreads + ended,
    children,
  };
}

/** Ticks as microseconds per item (per answered check). */
export function microsPer(ticks: number, items: number): number {
  return items > 0 ? (ticks / TICKS_PER_SECOND / items) * 1e6 : NaN;
}
