// A signal raced against the request's deadline: its value, or why it has none
// (`deadline`, or the error's message), never a rejection.
export const TIMED_OUT = Symbol('timed out');

export type Outcome<T> = { ok: true; value: T } | { ok: false; why: string };

export function settleBefore<T>(work: Promise<T>, deadline: Promise<typeof TIMED_OUT>): Promise<Outcome<T>> {
  return Promise.race([work, deadline]).then(
    (value) => (value === TIMED_OUT ? { ok: false, why: 'deadline' } : { ok: true, value: value as T }),
    (error: unknown) => ({ ok: false, why: error instanceof Error ? error.message : String(error) }),
  );
}

/** A promise that resolves to TIMED_OUT `ms` from now, with the means to cancel its timer. */
export function deadlineIn(ms: number): { promise: Promise<typeof TIMED_OUT>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
