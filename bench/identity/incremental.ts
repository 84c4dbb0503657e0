/**
 * Incremental resolution cost: the same batches through the ingest path without identity resolution
 * (normalise, size checks, partitions, appendEvents) and with it (the same plus the tenant's rules,
 * extraction, and resolveRows inside the transaction, as ingestBatch runs them), in one process, batch
 * after batch, alternating which tenant goes first. Bodies are validated by zod beforehand (untimed).
 */
import { sql } from 'kysely';
import { batchSchema, type BatchBody } from '../../src/contracts/ingest.js';
import { loadIdentityConfig } from '../../src/modules/identity/index.js';
import { appendEvents, checkRows, ensureEventPartitions, normalizeBatch } from '../../src/modules/ingest/index.js';
import { extractBatchIdentity, resolveRows } from '../../src/modules/ingest/identity.js';
import { resolutionHooks } from '../../src/modules/profiles/index.js';
import { createTenant } from '../../src/modules/tenancy/index.js';
import { systemClock } from '../../src/platform/clock.js';
import type { StoreConfig } from '../../src/platform/config.js';
import { openStore, type Store } from '../../src/platform/db/index.js';

export interface IncrementalResult {
  events: number;
  batches: number;
  /** µs per event */
  plain: number;
  resolved: number;
  ratio: number;
  /** µs per event inside `resolved` */
  parts: { rules: number; extract: number; resolve: number };
  profiles: number;
  identifiers: number;
  merges: number;
  blockedMerges: number;
}

async function counts(store: Store, tenantId: string) {
  const n = async (table: 'profiles' | 'profile_identifiers') =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
  const log = await store.db
    .selectFrom('identity_log')
    .select(['kind', (eb) => eb.fn.countAll<string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy('kind')
    .execute();
  const kind = (k: string) => Number(log.find((r) => r.kind === k)?.n ?? 0);
  return { profiles: await n('profiles'), identifiers: await n('profile_identifiers'), merges: kind('merge'), blockedMerges: kind('blocked_merge') };
}

/**
 * Runs `bodies` through both paths; the first `warmup` batches are not timed. With `analyze`, the
 * planner's statistics are refreshed after the warm-up (as autovacuum would on a server after a
 * while; PGlite runs no autovacuum), otherwise they are whatever the store had before.
 */
export async function incremental(config: StoreConfig, bodies: readonly BatchBody[], warmup: number, analyze: boolean): Promise<IncrementalResult & { tenants: string[] }> {
  const store = await openStore(config);
  try {
    const plainTenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-identity-plain' });
    const resolvedTenant = await createTenant({ db: store.db, clock: systemClock }, { name: 'bench-identity-resolved' });
    const parsed = bodies.map((b) => batchSchema.parse(b));
    const ms = { plain: 0, resolved: 0, rules: 0, extract: 0, resolve: 0 };
    let events = 0;

    const plain = async (body: BatchBody) => {
      const receivedAt = systemClock.now();
      const rows = normalizeBatch(body, { tenantId: plainTenant.tenantId, sourceId: plainTenant.sourceId, receivedAt });
      checkRows(rows, { batchLevelContext: false, single: false });
      await ensureEventPartitions(store, [receivedAt]);
      await store.db.transaction().execute((trx) => appendEvents(trx, rows, { resolveInline: async () => undefined }));
    };
    const resolved = async (body: BatchBody, timed: boolean) => {
      const t = resolvedTenant;
      const receivedAt = systemClock.now();
      const rows = normalizeBatch(body, { tenantId: t.tenantId, sourceId: t.sourceId, receivedAt });
      checkRows(rows, { batchLevelContext: false, single: false });
      let at = performance.now();
      const identity = await loadIdentityConfig(store.db, t.tenantId);
      const rulesMs = performance.now() - at;
      at = performance.now();
      const extracted = extractBatchIdentity(body, identity, false);
      const extractMs = performance.now() - at;
      await ensureEventPartitions(store, [receivedAt]);
      let resolveMs = 0;
      await store.db.transaction().execute((trx) =>
        appendEvents(trx, rows, {
          resolveInline: async (fresh, positions) => {
            const began = performance.now();
            await resolveRows(trx, t.tenantId, identity, extracted, fresh, positions, receivedAt, resolutionHooks);
            resolveMs = performance.now() - began;
          },
        }),
      );
      if (timed) {
        ms.rules += rulesMs;
        ms.extract += extractMs;
        ms.resolve += resolveMs;
      }
    };

    for (const [i, body] of parsed.entries()) {
      const timed = i >= warmup;
      if (i === warmup && analyze) await sql`ANALYZE events, profiles, profile_identifiers`.execute(store.db);
      // Alternate which path goes first, so neither always runs on a warmer cache.
      for (const path of i % 2 === 0 ? (['plain', 'resolved'] as const) : (['resolved', 'plain'] as const)) {
        const began = performance.now();
        if (path === 'plain') await plain(body);
        else await resolved(body, timed);
        if (timed) ms[path] += performance.now() - began;
      }
      if (timed) events += body.batch.length;
    }
    const us = (v: number) => (v * 1000) / events;
    return {
      events,
      batches: parsed.length - warmup,
      plain: us(ms.plain),
      resolved: us(ms.resolved),
      ratio: ms.resolved / ms.plain,
      parts: { rules: us(ms.rules), extract: us(ms.extract), resolve: us(ms.resolve) },
      ...(await counts(store, resolvedTenant.tenantId)),
      tenants: [plainTenant.tenantId, resolvedTenant.tenantId],
    };
  } finally {
    await store.close();
  }
}
