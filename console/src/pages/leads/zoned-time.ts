/**
 * Wall-clock times read in the tenant's time zone (not the browser's): the API takes instants, the
 * people who pick a day or a time mean the tenant's calendar.
 */

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

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour?: number;
  minute?: number;
}

/** The instant (ISO-8601, UTC) of a wall-clock time in `timeZone`. */
export function zonedIso(w: WallClock, timeZone: string): string {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour ?? 0, w.minute ?? 0);
  const first = offsetMs(guess, timeZone);
  let at = guess - first;
  const second = offsetMs(at, timeZone);
  if (second !== first) at = guess - second;
  return new Date(at).toISOString();
}

/** YYYY-MM-DD as a wall clock at midnight, or null when it is not such a date. */
export function parseDay(day: string | null | undefined): WallClock | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The start of a day (YYYY-MM-DD) in `timeZone`, `plusDays` later; undefined for no day. */
export function dayStartIso(day: string | null | undefined, timeZone: string, plusDays = 0): string | undefined {
  const w = parseDay(day);
  if (!w) return undefined;
  const shifted = new Date(Date.UTC(w.year, w.month - 1, w.day + plusDays));
  return zonedIso({ year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() }, timeZone);
}
