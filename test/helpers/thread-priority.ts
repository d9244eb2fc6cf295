// A thread's nice value and scheduling policy, as Linux gives them in
// /proc/<pid>/task/<tid>/stat (policies as numbered in sched.h).
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

export interface ThreadPriority {
  nice: number;
  policy: number;
}

/** From the text of a thread's stat: fields 19 and 41, counted after the name's closing parenthesis (a name may hold spaces). */
export function threadPriorityOf(stat: string): ThreadPriority {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { nice: Number(fields[16]), policy: Number(fields[38]) };
}
