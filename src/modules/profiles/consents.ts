import {
  consentChannelSchema,
  consentPurposeSchema,
  consentStateSchema,
  type Consent,
  type ConsentHistoryEntry,
  type ConsentRecord,
  type ConsentRecorded,
} from '../../contracts/consents.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { markProfilesDirty } from '../segments/index.js';
import { requireLiveProfile } from '../identity/index.js';
import * as repo from './consents.repo.js';
import type { ProfilesDeps } from './vehicles.js';

/**
 * Consent (PIPL) per profile × channel × purpose. Every record goes to the history; the current state
 * follows the record with the latest `at`, so a late-arriving older record changes only the history.
 */

/** How far ahead of our clock a consent time may be (clock skew of the collecting system). */
const MAX_FUTURE_MS = 5 * 60_000;

type CurrentRow = Awaited<ReturnType<typeof repo.listCurrent>>[number];

function consentView(r: CurrentRow): Consent {
  return {
    channel: consentChannelSchema.parse(r.channel),
    purpose: consentPurposeSchema.parse(r.purpose),
    state: consentStateSchema.parse(r.state),
    at: r.at.toISOString(),
    source: r.source,
    orgUnit: r.org_unit,
  };
}

/**
 * Records a consent of a live profile. Replaying the same record (channel, purpose, state, at, source)
 * changes nothing (`recorded: false`). `withdrawn` needs an earlier `granted` of the same channel and
 * purpose (409 otherwise).
 */
export async function recordConsent(deps: ProfilesDeps, tenantId: string, profileId: string, input: ConsentRecord): Promise<ConsentRecorded> {
  const now = deps.clock.now();
  const at = input.at ? new Date(input.at) : now;
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS) {
    throw new AppError('invalid_request', `at: ${at.toISOString()} is in the future; give the time the person consented`, { field: 'at' });
  }
  const record: repo.ConsentWrite = {
    profileId,
    channel: input.channel,
    purpose: input.purpose,
    state: input.state,
    at,
    source: input.source ?? null,
    orgUnit: input.orgUnit ?? null,
  };
  return deps.db.transaction().execute(async (trx) => {
    // The profile row lock serialises consent changes of one person (and merges of it).
    await requireLiveProfile(trx, tenantId, profileId, { forUpdate: true });
    const current = async () => {
      const row = await repo.findCurrent(trx, tenantId, profileId, record.channel, record.purpose);
      if (!row) throw new AppError('internal', `consent ${record.channel}/${record.purpose} of ${profileId} vanished`);
      return consentView(row);
    };
    if (await repo.historyHasRecord(trx, tenantId, record)) {
      return { recorded: false, applied: false, consent: await current() };
    }
    if (record.state === 'withdrawn' && !(await repo.grantedBefore(trx, tenantId, record))) {
      throw new AppError(
        'conflict',
        `consent for ${record.channel}/${record.purpose} cannot be withdrawn: it was not granted at or before ${at.toISOString()}; record "denied" instead`,
        { channel: record.channel, purpose: record.purpose, state: record.state },
      );
    }
    await repo.insertHistory(trx, tenantId, { ...record, note: input.note ?? null });
    const applied = await repo.upsertCurrent(trx, tenantId, record);
    if (applied) await markProfilesDirty(trx, tenantId, [profileId], now);
    return { recorded: true, applied, consent: await current() };
  });
}

/** The current state per channel and purpose (only those ever recorded). */
export async function currentConsents(db: Db, tenantId: string, profileId: string): Promise<Consent[]> {
  return (await repo.listCurrent(db, tenantId, profileId)).map(consentView);
}

export async function listConsents(db: Db, tenantId: string, profileId: string): Promise<Consent[]> {
  await requireLiveProfile(db, tenantId, profileId);
  return currentConsents(db, tenantId, profileId);
}

export async function consentHistory(db: Db, tenantId: string, profileId: string): Promise<ConsentHistoryEntry[]> {
  await requireLiveProfile(db, tenantId, profileId);
  const rows = await repo.listHistory(db, tenantId, profileId);
  return rows.map((r) => ({ id: r.id, ...consentView(r), note: r.note, recordedAt: r.recorded_at.toISOString() }));
}
