// One argument of a redis.conf line, an ACL file line or a redis-cli prompt: Redis
// splits those lines at spaces (sdssplitargs), reading a double-quoted argument with
// backslash escapes. A key prefix or a data directory may hold spaces or quotes.

export function redisConfToken(text: string): string {
  if (/^[\x21-\x7e]+$/.test(text) && !/["'\\]/.test(text)) return text;
  const escaped = text
    .replace(/[\\"]/g, '\\$&')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/** A line of arguments, each quoted where it needs to be. */
export function redisConfLine(tokens: readonly string[]): string {
  return tokens.map(redisConfToken).join(' ');
}
