// Appeal windows are counted in working days (Monday to Friday, UTC).
export function addWorkingDays(start: Date, days: number): Date {
  const at = new Date(start.getTime());
  let left = days;
  while (left > 0) {
    at.setUTCDate(at.getUTCDate() + 1);
    const weekday = at.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return at;
}
