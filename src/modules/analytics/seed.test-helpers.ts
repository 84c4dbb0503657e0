import type { Db } from '../../platform/db/index.js';

/**
 * Hand-built analytics data for tests: rows written straight into the tables the stages module and
 * the rollup refresh fill. Profile ids are fixed, so two tenants can hold the very same ids and a
 * query that forgets tenant_id in a join shows up as a wrong count.
 */

/** A fixed UUID per small number: pid(1) = 00000000-0000-4000-8000-000000000001. */
export const pid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const FIVE_A = [
  { key: 'A1', name: 'Aware', nameZh: '了解', condition: { type: 'and', conditions: [] } },
  { key: 'A2', name: 'Appeal', nameZh: '吸引', condition: { type: 'and', conditions: [] } },
  { key: 'A3', name: 'Ask', nameZh: '问询', condition: { type: 'and', conditions: [] } },
  { key: 'A4', name: 'Act', nameZh: '行动', condition: { type: 'and', conditions: [] } },
  { key: 'A5', name: 'Advocate', nameZh: '拥护', condition: { type: 'and', conditions: [] } },
];

export const AARRR = [
  { key: 'acquisition', name: 'Acquisition', nameZh: '引流', condition: { type: 'and', conditions: [] } },
  { key: 'activation', name: 'Activation', nameZh: '激活', condition: { type: 'and', conditions: [] } },
  { key: 'retention', name: 'Retention', nameZh: '留存', condition: { type: 'and', conditions: [] } },
  { key: 'revenue', name: 'Revenue', nameZh: '收益', condition: { type: 'and', conditions: [] } },
  { key: 'referral', name: 'Referral', nameZh: '传播', condition: { type: 'and', conditions: [] } },
];

export class Seed {
  constructor(
    readonly db: Db,
    readonly tenantId: string,
  ) {}

  async profile(n: number, mergedInto?: number): Promise<string> {
    await this.db
      .insertInto('profiles')
      .values({
        tenant_id: this.tenantId,
        id: pid(n),
        merged_into: mergedInto === undefined ? null : pid(mergedInto),
        traits: '{}',
        trait_meta: '{}',
        first_seen: '2026-01-01T00:00:00Z',
        last_seen: '2026-01-01T00:00:00Z',
      })
      .execute();
    return pid(n);
  }

  /** Creates or replaces a stage model; `isDefault` takes the default away from any other model. */
  async model(key: string, stages: readonly object[], isDefault = false): Promise<void> {
    if (isDefault) await this.db.updateTable('stage_models').set({ is_default: false }).where('tenant_id', '=', this.tenantId).execute();
    await this.db
      .insertInto('stage_models')
      .values({ tenant_id: this.tenantId, key, name: key, progression: 'highest_match', stages: JSON.stringify(stages), is_default: isDefault })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({ stages: JSON.stringify(stages), is_default: isDefault }))
      .execute();
  }

  /** Transitions of profile n: [from, to, at] in order. */
  async moves(model: string, n: number, moves: ReadonlyArray<readonly [string | null, string | null, string]>): Promise<void> {
    if (moves.length === 0) return;
    await this.db
      .insertInto('stage_transitions')
      .values(moves.map(([from, to, at]) => ({ tenant_id: this.tenantId, model, profile_id: pid(n), from_stage: from, to_stage: to, at })))
      .execute();
  }

  async current(model: string, n: number, stage: string, since = '2026-01-01T00:00:00Z'): Promise<void> {
    await this.db.insertInto('profile_stages').values({ tenant_id: this.tenantId, model, profile_id: pid(n), stage, since }).execute();
  }

  async source(n: number, name: string, kind: string, domainClass: string): Promise<string> {
    await this.db.insertInto('sources').values({ tenant_id: this.tenantId, id: pid(n), name, kind, domain_class: domainClass }).execute();
    return pid(n);
  }

  async rollup(
    n: number,
    r: { firstTouchAt?: string; sourceId?: string; sourceKind?: string; domainClass?: string; wecomStaff?: string[]; oaApps?: string[] },
  ): Promise<void> {
    await this.db
      .insertInto('profile_rollups')
      .values({
        tenant_id: this.tenantId,
        profile_id: pid(n),
        first_touch_at: r.firstTouchAt ?? null,
        first_source_id: r.sourceId ?? null,
        first_source_kind: r.sourceKind ?? null,
        first_domain_class: r.domainClass ?? null,
        wecom_staff: r.wecomStaff ?? [],
        oa_apps: r.oaApps ?? [],
      })
      .execute();
  }

  async consent(n: number, channel: string, purpose: string, state: string): Promise<void> {
    await this.db
      .insertInto('consents')
      .values({ tenant_id: this.tenantId, profile_id: pid(n), channel, purpose, state, at: '2026-01-01T00:00:00Z' })
      .execute();
  }
}
