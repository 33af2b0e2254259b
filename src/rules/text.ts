/**
 * Numbers and lists as people read them in reasons and criteria.
 */

/** At most two decimals, no trailing zeros: 80, 6.5, 72.25. */
export function formatNumber(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * A percent that was seen, to one decimal. An unmet value is rounded down, so 79.995 % against
 * 80 % reads "79.9 %" and never "80 %": the text must not contradict the verdict.
 */
export function formatPercent(value: number, met: boolean): string {
  const tenths = met ? Math.round(value * 10) : Math.floor(value * 10 + 1e-6);
  return String(tenths / 10);
}

/**
 * "a, b and c" (or "or", or the word of another language). With "; " as separator
 * ("a; b; and c"), for lists whose items contain lists of their own.
 */
export function listText(items: readonly string[], conjunction: string, separator: ', ' | '; ' = ', '): string {
  if (items.length <= 1) return items.join('');
  const last = `${conjunction} ${items[items.length - 1]}`;
  return separator === ', ' ? `${items.slice(0, -1).join(', ')} ${last}` : [...items.slice(0, -1), last].join('; ');
}
