import dayjs, { type Dayjs } from 'dayjs';
import { isoDay } from '../../format';

/** Minutes the time zone is ahead of UTC at `instant` (480 for Asia/Shanghai). */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(
    new Date(instant),
  );
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/**
 * The instant of a wall-clock time in the tenant's time zone: the calendar day of `day` (as the
 * date picker shows it) at hour:minute there, whatever the browser's own zone is.
 */
export function tenantInstant(day: Dayjs, hour: number, minute: number, timeZone: string): string {
  const wall = Date.UTC(day.year(), day.month(), day.date(), hour, minute);
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  // Once more at the found instant, for a day on which the zone changes its offset.
  instant = wall - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant).toISOString();
}

/** Today in the tenant's time zone, as a date-picker value. */
export function tenantToday(timeZone: string): Dayjs {
  return dayjs(isoDay(new Date(), timeZone));
}
