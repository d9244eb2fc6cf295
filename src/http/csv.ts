// CSV as RFC 4180 writes it: every field quoted when it needs to be, CRLF line ends,
// after a UTF-8 byte order mark (without it, spreadsheet programs read the names of
// brands and regions as mojibake). Fields that a spreadsheet would run as a formula
// are prefixed with a quote mark.
function cell(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
