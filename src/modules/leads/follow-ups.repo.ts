import type { Db } from '../../platform/db/index.js';

/** SQL for follow-up records (calls, WeCom chats, visits …) of a lead. */

const COLUMNS = ['id', 'lead_id', 'kind', 'at', 'actor', 'staff_id', 'note', 'next_follow_up_at', 'created_at'] as const;
export interface FollowUpRow {
  id: string;
  lead_id: string;
  kind: string;
  at: Date;
  actor: string;
  staff_id: string | null;
  note: string | null;
  next_follow_up_at: Date | null;
  created_at: Date;
}

export async function findFollowUp(db: Db, tenantId: string, id: string): Promise<FollowUpRow | undefined> {
  return db.selectFrom('lead_follow_ups').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function insertFollowUp(
  db: Db,
  tenantId: string,
  f: { id: string; leadId: string; kind: string; at: Date; actor: string; staffId: string | null; note: string | null; nextFollowUpAt: Date | null; createdAt: Date },
): Promise<FollowUpRow> {
  return db
    .insertInto('lead_follow_ups')
    .values({
      tenant_id: tenantId,
      id: f.id,
      lead_id: f.leadId,
      kind: f.kind,
      at: f.at,
      actor: f.actor,
      staff_id: f.staffId,
      note: f.note,
      next_follow_up_at: f.nextFollowUpAt,
      created_at: f.createdAt,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

/** The next follow-up the latest record plans (the lead keeps it in next_follow_up_at). */
export async function latestPlannedFollowUp(db: Db, tenantId: string, leadId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('lead_follow_ups')
    .select('next_follow_up_at')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('at', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.next_follow_up_at ?? null;
}

/** A lead's follow-ups, newest first. */
export async function listFollowUps(db: Db, tenantId: string, leadId: string): Promise<FollowUpRow[]> {
  return db
    .selectFrom('lead_follow_ups')
    .select(COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .orderBy('at', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
