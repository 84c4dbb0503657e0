import { CREATED_AT_SKEW_MS, PHONE_HASH } from '../../contracts/leads.js';
import { normalizePhone } from '../../modules/identity/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Store } from '../../platform/db/index.js';

export interface LeadSourceDeps {
  store: Store;
  clock: Clock;
  /** SIYU_SECRET_KEY; without it no platform token can be stored or read. */
  secretKey?: Buffer | undefined;
}

/** Leads per intake call (the intake's batch limit). */
export const INTAKE_CHUNK = 500;

/** A platform value read as trimmed text; numbers become their digits, anything else nothing. */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** Why the intake would refuse this phone (the checks it makes), or null. */
export function phoneProblem(raw: string): string | null {
  if (PHONE_HASH.test(raw)) return null;
  const p = normalizePhone(raw);
  return p.kind === 'invalid' ? `phone: ${p.reason}` : null;
}

/** Why the intake would refuse this createdAt (too far in the future), or null. */
export function createdAtProblem(createdAt: string | undefined, now: Date): string | null {
  if (createdAt === undefined) return null;
  return new Date(createdAt).getTime() > now.getTime() + CREATED_AT_SKEW_MS ? `createdAt ${createdAt} is in the future (our clock: ${now.toISOString()})` : null;
}
