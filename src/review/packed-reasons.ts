// A verdict record's reasons as JSON tuples, `[code, ref, field, start, end]`
// (the last ones left off when absent), instead of objects that repeat their
// five keys in every record (issue 23: about 30 bytes a reason). Records of
// earlier versions keep objects; both are read.
import type { Reason, ReasonCode } from '../gate/reason.js';

type ReasonTuple = [ReasonCode, string, string?, number?, number?];

export function packReasons(reasons: readonly Reason[]): string {
  return JSON.stringify(
    reasons.map((reason): ReasonTuple => {
      if (reason.field === undefined) return [reason.code, reason.ref];
      if (reason.start === undefined || reason.end === undefined) return [reason.code, reason.ref, reason.field];
      return [reason.code, reason.ref, reason.field, reason.start, reason.end];
    }),
  );
}

export function unpackReasons(packed: string): Reason[] {
  return (JSON.parse(packed) as Array<ReasonTuple | Reason>).map((entry): Reason => {
    if (!Array.isArray(entry)) return entry;
    const [code, ref, field, start, end] = entry;
    const reason: Reason = { code, ref };
    if (field !== undefined) reason.field = field;
    if (start !== undefined && end !== undefined) {
      reason.start = start;
      reason.end = end;
    }
    return reason;
  });
}
