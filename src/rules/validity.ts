/**
 * When an award stops being valid: its date plus the badge's validity period, an ISO 8601
 * duration of years, months, weeks and days (what the badge editor accepts), in UTC calendar terms.
 */
export function validUntil(awardedAt: Date, validFor: string | undefined): Date | undefined {
  if (!validFor) return undefined;
  const m = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(validFor);
  if (!m) throw new Error(`"${validFor}" is not a validity period such as P1Y or P6M`);
  const [years, months, weeks, days] = m.slice(1).map((n) => Number(n ?? 0));
  const end = new Date(awardedAt);
  end.setUTCFullYear(end.getUTCFullYear() + years!, end.getUTCMonth() + months!);
  end.setUTCDate(end.getUTCDate() + weeks! * 7 + days!);
  return end;
}
