// `retry-after` (RFC 9110 section 10.2.3): a number of seconds, or an HTTP date.
// The gate sends whole seconds; a date is read too, for a proxy in front of it.

/** Milliseconds to wait, or undefined when the header is absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
