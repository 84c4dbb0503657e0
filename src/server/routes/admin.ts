import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { eventsPageSchema, eventsQuerySchema } from '../../contracts/events.js';
import {
  adminTokenCreateSchema,
  adminTokenInfoSchema,
  idParams,
  newAdminTokenSchema,
  newWriteKeySchema,
  sourceCreateSchema,
  sourceCreatedSchema,
  sourceKeyParams,
  sourceParams,
  sourceSchema,
  writeKeyCreateSchema,
  writeKeyInfoSchema,
} from '../../contracts/tenancy.js';
import { tenantStatusSchema } from '../../contracts/status.js';
import { identityLag } from '../../modules/identity/index.js';
import { listEvents } from '../../modules/ingest/index.js';
import * as tenancy from '../../modules/tenancy/index.js';
import { adminSecurity as security, requireAdmin, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/**
 * Tenant configuration under `/api/v1` (sources, write keys, admin tokens: the admin role only) and
 * the raw event stream of everyone (admin, hq_ops).
 */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps) {
  const t = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/events',
    { schema: { tags: ['events'], summary: 'Stored events of everyone, newest first (admin, hq_ops)', querystring: eventsQuerySchema, response: { 200: eventsPageSchema, ...errors }, security } },
    async (request) => listEvents(deps.store.db, requirePrincipal(request, tenancy.OPS_ROLES).tenantId, request.query),
  );

  r.get(
    '/api/v1/status',
    {
      schema: {
        tags: ['service'],
        summary: 'Background work of the tenant: how far One ID resolution is behind the tracking API (admin)',
        response: { 200: tenantStatusSchema, ...errors },
        security,
      },
    },
    async (request) => ({ identity: await identityLag(deps.store.db, requireAdmin(request).tenantId, deps.clock.now()) }),
  );

  r.get(
    '/api/v1/sources',
    { schema: { tags: ['sources'], summary: 'Sources and their write keys', response: { 200: z.object({ data: z.array(sourceSchema) }), ...errors }, security } },
    async (request) => ({ data: await tenancy.listSources(t, requireAdmin(request).tenantId) }),
  );

  r.get(
    '/api/v1/sources/:sourceId',
    { schema: { tags: ['sources'], summary: 'A source and its write keys (prefixes only)', params: sourceParams, response: { 200: sourceSchema, ...errors }, security } },
    async (request) => tenancy.getSource(t, requireAdmin(request).tenantId, request.params.sourceId),
  );

  r.post(
    '/api/v1/sources',
    { schema: { tags: ['sources'], summary: 'Create a source and its first write key', body: sourceCreateSchema, response: { 201: sourceCreatedSchema, ...errors }, security } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      const created = await tenancy.createSource(t, admin.tenantId, request.body, admin.actor);
      return reply.code(201).send(created);
    },
  );

  r.post(
    '/api/v1/sources/:sourceId/write-keys',
    {
      schema: {
        tags: ['sources'],
        summary: 'Issue a write key; with revokeExisting, rotate (the old keys stop working at once)',
        params: sourceParams,
        body: writeKeyCreateSchema.nullish().transform((b) => b ?? { revokeExisting: false }),
        response: { 201: newWriteKeySchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      const key = await tenancy.createWriteKey(t, admin.tenantId, request.params.sourceId, request.body.revokeExisting, admin.actor);
      return reply.code(201).send(key);
    },
  );

  r.post(
    '/api/v1/sources/:sourceId/write-keys/:keyId/revoke',
    { schema: { tags: ['sources'], summary: 'Revoke a write key (idempotent)', params: sourceKeyParams, response: { 200: writeKeyInfoSchema, ...errors }, security } },
    async (request) => {
      const admin = requireAdmin(request);
      return tenancy.revokeWriteKey(t, admin.tenantId, request.params.sourceId, request.params.keyId, admin.actor);
    },
  );

  r.get(
    '/api/v1/admin-tokens',
    { schema: { tags: ['admin tokens'], summary: 'Admin tokens (names and prefixes, never the secret)', response: { 200: z.object({ data: z.array(adminTokenInfoSchema) }), ...errors }, security } },
    async (request) => ({ data: await tenancy.listAdminTokens(t, requireAdmin(request).tenantId) }),
  );

  r.post(
    '/api/v1/admin-tokens',
    { schema: { tags: ['admin tokens'], summary: 'Issue an admin token', body: adminTokenCreateSchema, response: { 201: newAdminTokenSchema, ...errors }, security } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      return reply.code(201).send(await tenancy.createAdminToken(t, admin.tenantId, request.body.name, admin.actor));
    },
  );

  r.post(
    '/api/v1/admin-tokens/:id/revoke',
    { schema: { tags: ['admin tokens'], summary: 'Revoke an admin token (not the last active one)', params: idParams, response: { 200: adminTokenInfoSchema, ...errors }, security } },
    async (request) => {
      const admin = requireAdmin(request);
      return tenancy.revokeAdminToken(t, admin.tenantId, request.params.id, admin.actor);
    },
  );
}
