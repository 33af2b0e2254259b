/**
 * How the side-by-side benchmarks (institution.ts, privacy.ts) report a figure: rounded, and the
 * large platform's against the empty one's as a ratio measured in the same run.
 */
export const round = (n: number, digits = 2) => Number(n.toFixed(digits));
export const ratio = (large: number, empty: number) => round(large / empty);
