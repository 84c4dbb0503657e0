import { isoDay } from '../../../format';

const DAY_MS = 86_400_000;

/** The YYYY-MM-DD `days` before today in the time zone (0: today). */
export function dayBefore(days: number, timeZone: string, now = new Date()): string {
  return isoDay(new Date(now.getTime() - days * DAY_MS), timeZone);
}

/** How far the zone is ahead of UTC at an instant, in ms. */
function zoneOffset(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a YYYY-MM-DD day begins in the time zone, as ISO (the API's from/to instants). */
export function dayStart(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const first = guess - zoneOffset(new Date(guess), timeZone);
  // A second pass settles days on which the zone's offset changes.
  return new Date(guess - zoneOffset(new Date(first), timeZone)).toISOString();
}

/** The instant the day after `day` begins: an inclusive last day as an exclusive bound. */
export function dayEnd(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const next = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
  return dayStart(next, timeZone);
}
