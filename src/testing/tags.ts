import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { tagOperationSchema, type TagOperation } from '../contracts/tags.js';
import type { TenantCreated } from '../contracts/tenancy.js';
import { systemClock } from '../platform/clock.js';
import type { Store } from '../platform/db/index.js';
import { siyuWorker } from '../worker/index.js';
import { json } from './app.js';
import { adminRequest } from './identity.js';

/** Test helpers for bulk tag operations: queue one, let the worker carry it out, read it back. */

function operationOf(res: LightMyRequestResponse, what: string): TagOperation {
  if (res.statusCode !== 200 && res.statusCode !== 202) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return tagOperationSchema.parse(json(res));
}

/** Runs the tenant's due jobs (the bulk tag operations, and the refreshes they ask for) now. */
export function drainJobs(store: Store, tenantId: string): Promise<number> {
  return siyuWorker({ db: store.db, clock: systemClock, onlyTenant: tenantId }).drain();
}

/** Reads an operation back (must be 200). */
export async function readOperation(app: FastifyInstance, tenant: TenantCreated, id: string): Promise<TagOperation> {
  return operationOf(await adminRequest(app, tenant, 'GET', `/api/v1/operations/${id}`), `GET /api/v1/operations/${id}`);
}

/**
 * POSTs a bulk apply or remove (must be 202 with Location naming the operation), runs the tenant's
 * jobs and answers the operation as it reads afterwards.
 */
export async function bulkTagChange(app: FastifyInstance, store: Store, tenant: TenantCreated, tagId: string, action: 'apply' | 'remove', body: unknown): Promise<TagOperation> {
  const url = `/api/v1/tags/${tagId}/${action}`;
  const res = await adminRequest(app, tenant, 'POST', url, body);
  if (res.statusCode !== 202) throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`);
  const queued = operationOf(res, `POST ${url}`);
  if (res.headers.location !== `/api/v1/operations/${queued.id}`) throw new Error(`POST ${url}: Location ${String(res.headers.location)} does not name operation ${queued.id}`);
  await drainJobs(store, tenant.tenantId);
  return readOperation(app, tenant, queued.id);
}
