/**
 * A calendar day (YYYY-MM-DD) as the instant it starts in the tenant's time zone: the people who
 * pick a day mean the tenant's calendar, not the browser's.
 */

/** How far `timeZone`'s wall clock is ahead of UTC at instant `at` (ms). */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The start of `day` plus `plusDays` in `timeZone`, as ISO-8601 UTC; undefined for no day. */
export function dayStartIso(day: string | null | undefined, timeZone: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return undefined;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  const first = offsetMs(guess, timeZone);
  let at = guess - first;
  const second = offsetMs(at, timeZone);
  if (second !== first) at = guess - second;
  return new Date(at).toISOString();
}
