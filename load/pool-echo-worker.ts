// The pool-echo comparator's worker: takes a batch of listing bodies and answers
// each with a fixed allow, parsing nothing (the event loop did).
export default function answer(batch: readonly string[]): string[] {
  return batch.map(() => 'allow');
}
