import type { ScoreFactor } from '../../contracts/leads.js';
import { STANDARD_EVENTS } from '../../contracts/vocabulary.js';
import type { Db } from '../../platform/db/index.js';
import { findIntentEvents } from './intake.repo.js';

/**
 * Rule-based lead score, 0–100, with the factors that made it (docs/leads.md, "Scoring"):
 * source quality (≤ 30) + completeness (≤ 30) + intent signals in the person's events of the last
 * 30 days (≤ 25) + recency of the lead when it reached us (≤ 15). `scoreLead` is a pure function (the
 * same lead and events give the same score); `intentOf` reads the events it needs, once per batch.
 */

/** Points for the source: own forms first (people who came to us), paid public platforms after. */
export const SOURCE_POINTS: Readonly<Record<string, number>> = {
  website: 30,
  app: 30,
  mini_program: 28,
  call_center: 26,
  dms: 25,
  offline_store: 25,
  douyin: 20,
  autohome: 18,
  yiche: 16,
  dongchedi: 16,
  xiaohongshu: 14,
};
export const OTHER_SOURCE_POINTS = 10;

/** Intent events (Siyu's standard names) and their points; each kind counts once, views up to 5. */
export const INTENT_POINTS: ReadonlyArray<{ event: string; points: number; perEvent?: boolean; max?: number }> = [
  { event: STANDARD_EVENTS.testDriveBooked, points: 10 },
  { event: STANDARD_EVENTS.storeVisited, points: 8 },
  { event: STANDARD_EVENTS.priceInquiry, points: 6 },
  { event: STANDARD_EVENTS.leadCreated, points: 5 },
  { event: STANDARD_EVENTS.wecomContactAdded, points: 4 },
  { event: STANDARD_EVENTS.contentViewed, points: 1, perEvent: true, max: 5 },
];
export const INTENT_EVENTS: readonly string[] = INTENT_POINTS.map((p) => p.event);
export const INTENT_WINDOW_DAYS = 30;
const INTENT_MAX = 25;
/** Points a duplicate lead adds to its original (the person asked again). */
export const REPEAT_INQUIRY_POINTS = 5;

export type PhoneKind = 'full' | 'masked' | 'hash';

export interface ScoreInput {
  source: string;
  phoneKind: PhoneKind;
  name: string | null;
  city: string | null;
  province: string | null;
  series: string | null;
  model: string | null;
  createdAt: Date;
  receivedAt: Date;
  /** The person's intent events in the INTENT_WINDOW_DAYS before createdAt: event name → count. */
  intent: ReadonlyMap<string, number>;
}

export function scoreLead(l: ScoreInput): { score: number; factors: ScoreFactor[] } {
  const factors: ScoreFactor[] = [];
  const sourcePoints = SOURCE_POINTS[l.source] ?? OTHER_SOURCE_POINTS;
  factors.push({ factor: 'source', points: sourcePoints, detail: `${l.source}${SOURCE_POINTS[l.source] === undefined ? ' (other source)' : ''}` });

  const parts: Array<[string, number]> = [];
  parts.push(l.phoneKind === 'full' ? ['full phone', 15] : l.phoneKind === 'hash' ? ['hashed phone', 8] : ['masked phone', 3]);
  if (l.name) parts.push(['name', 5]);
  if (l.city) parts.push(['city', 4]);
  else if (l.province) parts.push(['province', 2]);
  if (l.series) parts.push(['series', 4]);
  if (l.model) parts.push(['model', 2]);
  factors.push({ factor: 'completeness', points: parts.reduce((n, [, p]) => n + p, 0), detail: parts.map(([what, p]) => `${what} +${p}`).join(', ') });

  const signals: string[] = [];
  let intent = 0;
  for (const rule of INTENT_POINTS) {
    const n = l.intent.get(rule.event) ?? 0;
    if (n === 0) continue;
    const points = rule.perEvent ? Math.min(n * rule.points, rule.max ?? n * rule.points) : rule.points;
    intent += points;
    signals.push(`${rule.event} ×${n} +${points}`);
  }
  intent = Math.min(intent, INTENT_MAX);
  factors.push({ factor: 'intent', points: intent, detail: signals.length === 0 ? `no intent events in the last ${INTENT_WINDOW_DAYS} days` : signals.join(', ') });

  const ageHours = Math.max(0, l.receivedAt.getTime() - l.createdAt.getTime()) / 3_600_000;
  const recency = ageHours <= 1 ? 15 : ageHours <= 24 ? 10 : ageHours <= 72 ? 5 : ageHours <= 168 ? 2 : 0;
  factors.push({ factor: 'recency', points: recency, detail: `received ${formatAge(ageHours)} after it was created` });

  const score = Math.max(0, Math.min(100, factors.reduce((n, f) => n + f.points, 0)));
  return { score, factors };
}

function formatAge(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round(hours / 24)} days`;
}

/** Intent events of each person in the 30 days before their lead (not the lead's own events). */
export async function intentOf(
  trx: Db,
  tenantId: string,
  leads: ReadonlyArray<{ p: { id: string; createdAt: Date }; profileId: string | null }>,
): Promise<Array<Map<string, number>>> {
  const profiles = [...new Set(leads.flatMap((l) => (l.profileId ? [l.profileId] : [])))];
  const times = leads.map((l) => l.p.createdAt.getTime());
  const windowMs = INTENT_WINDOW_DAYS * 86_400_000;
  const rows = await findIntentEvents(trx, tenantId, profiles, INTENT_EVENTS, new Date(Math.min(...times) - windowMs), new Date(Math.max(...times)));
  const byProfile = new Map<string, typeof rows>();
  for (const e of rows) byProfile.set(e.profile_id, [...(byProfile.get(e.profile_id) ?? []), e]);
  return leads.map((l) => {
    const counts = new Map<string, number>();
    const at = l.p.createdAt.getTime();
    for (const e of l.profileId === null ? [] : (byProfile.get(l.profileId) ?? [])) {
      if (e.message_id === `lead:${l.p.id}`) continue;
      const t = e.timestamp.getTime();
      if (t <= at && t >= at - windowMs) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
    }
    return counts;
  });
}
