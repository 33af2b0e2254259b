/**
 * CSV for spreadsheets (RFC 4180), guarded against formula injection: a cell that a spreadsheet
 * would run as a formula (starting with = + - @, a tab or a return) is prefixed with a quote,
 * so a badge or learner named "=HYPERLINK(...)" stays text.
 */
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(rows: unknown[][]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
