// The Server-Timing response header (W3C Server Timing): `name;dur=<ms>;desc="…"`
// entries separated by commas. The cost view takes whatever phase names a server
// sends; a phase named twice in one header is the sum of its durations.

export interface TimingPhase {
  name: string;
  /** Milliseconds; undefined when the entry has no (numeric) dur. */
  durationMs: number | undefined;
}

/** Splits `text` at `separator` where it is not inside a quoted string. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '\\') {
      current += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** The phases of a Server-Timing header value, in the order sent. */
export function parseServerTiming(value: string): TimingPhase[] {
  const phases: TimingPhase[] = [];
  for (const entry of splitOutsideQuotes(value, ',')) {
    const [rawName, ...params] = splitOutsideQuotes(entry, ';');
    const name = (rawName ?? '').trim();
    if (name === '') continue;
    let durationMs: number | undefined;
    for (const param of params) {
      const equals = param.indexOf('=');
      if (equals < 0 || param.slice(0, equals).trim().toLowerCase() !== 'dur') continue;
      const parsed = Number(
        param
          .slice(equals + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
      if (Number.isFinite(parsed)) durationMs = parsed;
      break; // the first dur counts (the spec ignores later ones)
    }
    const same = phases.find((p) => p.name === name);
    if (!same) phases.push({ name, durationMs });
    else if (durationMs !== undefined) same.durationMs = (same.durationMs ?? 0) + durationMs;
  }
  return phases;
}
