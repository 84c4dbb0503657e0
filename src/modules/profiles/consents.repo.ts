import type { Db } from '../../platform/db/index.js';

/** SQL for consent (PIPL): the current state per profile × channel × purpose, and its history. */

export interface ConsentWrite {
  profileId: string;
  channel: string;
  purpose: string;
  state: string;
  at: Date;
  source: string | null;
  orgUnit: string | null;
}

const CURRENT_COLUMNS = ['channel', 'purpose', 'state', 'at', 'source', 'org_unit'] as const;

/** Whether exactly this record (channel, purpose, state, at, source) is already in the history. */
export async function historyHasRecord(db: Db, tenantId: string, c: ConsentWrite): Promise<boolean> {
  const row = await db
    .selectFrom('consent_history')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', c.profileId)
    .where('channel', '=', c.channel)
    .where('purpose', '=', c.purpose)
    .where('state', '=', c.state)
    .where('at', '=', c.at)
    .where('source', c.source === null ? 'is' : '=', c.source)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the person granted this channel and purpose at or before `at`. */
export async function grantedBefore(db: Db, tenantId: string, c: { profileId: string; channel: string; purpose: string; at: Date }): Promise<boolean> {
  const row = await db
    .selectFrom('consent_history')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', c.profileId)
    .where('channel', '=', c.channel)
    .where('purpose', '=', c.purpose)
    .where('state', '=', 'granted')
    .where('at', '<=', c.at)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertHistory(db: Db, tenantId: string, c: ConsentWrite & { note: string | null }): Promise<void> {
  await db
    .insertInto('consent_history')
    .values({
      tenant_id: tenantId,
      profile_id: c.profileId,
      channel: c.channel,
      purpose: c.purpose,
      state: c.state,
      at: c.at,
      source: c.source,
      org_unit: c.orgUnit,
      note: c.note,
    })
    .execute();
}

/** Sets the current state unless the stored one is newer; true when it was set. */
export async function upsertCurrent(db: Db, tenantId: string, c: ConsentWrite): Promise<boolean> {
  const row = await db
    .insertInto('consents')
    .values({ tenant_id: tenantId, profile_id: c.profileId, channel: c.channel, purpose: c.purpose, state: c.state, at: c.at, source: c.source, org_unit: c.orgUnit })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'profile_id', 'channel', 'purpose'])
        .doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), at: eb.ref('excluded.at'), source: eb.ref('excluded.source'), org_unit: eb.ref('excluded.org_unit') }))
        .where('consents.at', '<=', (eb) => eb.ref('excluded.at')),
    )
    .returning('channel')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findCurrent(db: Db, tenantId: string, profileId: string, channel: string, purpose: string) {
  return db
    .selectFrom('consents')
    .select(CURRENT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .where('channel', '=', channel)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
}

export async function listCurrent(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('consents')
    .select(CURRENT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .orderBy('channel')
    .orderBy('purpose')
    .execute();
}

/** Newest first (by the time of the consent, then by when it was recorded). */
export async function listHistory(db: Db, tenantId: string, profileId: string) {
  return db
    .selectFrom('consent_history')
    .select(['id', 'channel', 'purpose', 'state', 'at', 'source', 'org_unit', 'note', 'recorded_at'])
    .where('tenant_id', '=', tenantId)
    .where('profile_id', '=', profileId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
