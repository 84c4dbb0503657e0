import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TenantCreated } from '../contracts/tenancy.js';
import type { Store } from '../platform/db/index.js';
import { systemClock } from '../platform/clock.js';
import { drainIdentityQueue } from '../worker/index.js';
import { basicAuth } from './app.js';

/** Test helpers for One ID: send events, and read the identity graph back as people see it. */

/**
 * Resolves the tenant's acknowledged tracking events now, as the resolver would within seconds:
 * what a test does between sending events and reading the profiles they make.
 */
export function resolveQueued(store: Store, tenantId: string): Promise<number> {
  return drainIdentityQueue(store.db, systemClock, tenantId);
}

/** Sends a batch (must be 200) and resolves the tenant's queue. */
export async function sendResolved(app: FastifyInstance, store: Store, tenant: TenantCreated, batch: Array<Record<string, unknown>>): Promise<LightMyRequestResponse> {
  const res = await sendBatch(app, tenant, batch);
  if (res.statusCode !== 200) throw new Error(`POST /v1/batch answered ${res.statusCode}: ${res.body}`);
  await resolveQueued(store, tenant.tenantId);
  return res;
}

export function sendBatch(app: FastifyInstance, tenant: TenantCreated, batch: Array<Record<string, unknown>>): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/v1/batch',
    payload: JSON.stringify({ batch }),
    headers: { 'content-type': 'application/json', authorization: basicAuth(tenant.writeKey) },
  });
}

export function adminRequest(app: FastifyInstance, tenant: TenantCreated, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    headers: { authorization: `Bearer ${tenant.adminToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
  });
}

export interface Person {
  id: string;
  identifiers: string[];
  events: string[];
  traits: Record<string, unknown>;
}

/** Live profiles with their identifiers (`type:scope:value`, sorted) and event message ids (sorted). */
export async function people(store: Store, tenantId: string): Promise<Person[]> {
  const profiles = await store.db.selectFrom('profiles').select(['id', 'traits']).where('tenant_id', '=', tenantId).where('merged_into', 'is', null).execute();
  const links = await store.db.selectFrom('profile_identifiers').select(['profile_id', 'type', 'scope', 'value']).where('tenant_id', '=', tenantId).execute();
  const events = await store.db.selectFrom('events').select(['profile_id', 'message_id']).where('tenant_id', '=', tenantId).execute();
  return profiles
    .map((p) => ({
      id: p.id,
      identifiers: links.filter((l) => l.profile_id === p.id).map((l) => `${l.type}:${l.scope}:${l.value}`).sort(),
      events: events.filter((e) => e.profile_id === p.id).map((e) => e.message_id).sort(),
      traits: typeof p.traits === 'object' && p.traits !== null ? { ...p.traits } : {},
    }))
    .sort((a, b) => (a.identifiers.join() < b.identifiers.join() ? -1 : 1));
}

export async function personHolding(store: Store, tenantId: string, identifier: string): Promise<Person | undefined> {
  return (await people(store, tenantId)).find((p) => p.identifiers.includes(identifier));
}

export async function identityLog(store: Store, tenantId: string): Promise<Array<{ kind: string; reason: string | null; trigger: string | null }>> {
  const rows = await store.db.selectFrom('identity_log').select(['kind', 'reason', 'trigger_message_id']).where('tenant_id', '=', tenantId).orderBy('id').execute();
  return rows.map((r) => ({ kind: r.kind, reason: r.reason, trigger: r.trigger_message_id }));
}
