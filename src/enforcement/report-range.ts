// The `from`/`to` (and `format`) query of a figures report, checked.
import { isCalendarDay } from '../validation/calendar-day.js';
import { GateError } from '../errors/gate-error.js';
import { MAX_REPORT_DAYS, daysBetween, utcDay } from './brand-figures.js';

export interface ReportRange {
  from: string;
  to: string;
  format: 'json' | 'csv';
}

export function reportRange(query: string, now = new Date()): ReportRange {
  const params = new URLSearchParams(query);
  const to = params.get('to') ?? utcDay(now);
  const from = params.get('from') ?? utcDay(now.getTime() - 29 * 86_400_000);
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isCalendarDay(value)) throw new GateError('GATE_ERR_INVALID_FIELD', `${name} must be a date written YYYY-MM-DD`, { field: name });
  }
  if (from > to) throw new GateError('GATE_ERR_INVALID_FIELD', 'from must not be after to', { field: 'from' });
  if (daysBetween(from, to).length > MAX_REPORT_DAYS)
    throw new GateError('GATE_ERR_INVALID_FIELD', `a report covers at most ${MAX_REPORT_DAYS} days`, { field: 'from' });
  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new GateError('GATE_ERR_INVALID_FIELD', 'format must be "json" or "csv"', { field: 'format' });
  return { from, to, format };
}
