import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  blocklistEntrySchema,
  blocklistItemSchema,
  identifierTypeParams,
  identifierTypeSchema,
  identifierTypeUpsertSchema,
  splitRequestSchema,
  splitResultSchema,
  traitParams,
  traitStrategySchema,
} from '../../contracts/identity.js';
import { profileParams } from '../../contracts/profiles.js';
import * as identity from '../../modules/identity/index.js';
import { requireVisibleProfile, resolutionHooks } from '../../modules/profiles/index.js';
import { OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requireAdmin, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const withNullScope = <T extends { scope: string }>(i: T) => ({ ...i, scope: i.scope === '' ? null : i.scope });

/** Identity rules (identifier types, junk list, trait strategies: admin only) and the audited split (admin, hq_ops). */
export async function identityRoutes(app: FastifyInstance, deps: AppDeps) {
  const db = deps.store.db;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/profiles/:id/split',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Move identifiers (and the events they brought) out of a profile into a new one (admin, hq_ops)',
        description:
          'An event moves with its highest-priority identifier the profile held. Both profiles’ traits are recomputed from their events; ' +
          'denied and withdrawn consents are copied to the new profile. Audited (audit log action profile.split). Replaying the same split answers the first result.',
        params: profileParams,
        body: splitRequestSchema,
        response: { 201: splitResultSchema, 200: splitResultSchema, 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request, OPS_ROLES);
      await requireVisibleProfile(db, principal, request.params.id);
      const result = await identity.splitProfile(deps.store, principal.tenantId, request.params.id, request.body.identifiers, principal.actor, resolutionHooks, deps.clock.now());
      return reply.code(result.replayed ? 200 : 201).send({ ...result, identifiers: result.identifiers.map(withNullScope) });
    },
  );

  r.get(
    '/api/v1/identity/types',
    { schema: { tags: ['identity rules'], summary: 'Identifier types in priority order', response: { 200: z.object({ data: z.array(identifierTypeSchema) }), ...errors }, security } },
    async (request) => ({ data: await identity.listIdentifierTypes(db, requireAdmin(request).tenantId) }),
  );

  r.put(
    '/api/v1/identity/types/:type',
    {
      schema: {
        tags: ['identity rules'],
        summary: 'Configure a built-in identifier type or add a custom one (applies to new events; rebuild for history)',
        params: identifierTypeParams,
        body: identifierTypeUpsertSchema,
        response: { 200: identifierTypeSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      return identity.putIdentifierType(db, admin.tenantId, { type: request.params.type, ...request.body }, admin.actor);
    },
  );

  r.delete(
    '/api/v1/identity/types/:type',
    { schema: { tags: ['identity rules'], summary: 'Remove a custom type or go back to the built-in default', params: identifierTypeParams, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      await identity.removeIdentifierType(db, admin.tenantId, request.params.type, admin.actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/identity/blocklist',
    { schema: { tags: ['identity rules'], summary: 'The tenant’s junk identifier values', response: { 200: z.object({ data: z.array(blocklistItemSchema) }), ...errors }, security } },
    async (request) => ({ data: await identity.listBlocked(db, requireAdmin(request).tenantId) }),
  );

  r.post(
    '/api/v1/identity/blocklist',
    {
      schema: {
        tags: ['identity rules'],
        summary: 'Never use a value as an identifier (normalised like on ingest, e.g. a call-centre number)',
        body: blocklistEntrySchema,
        response: { 200: z.object({ type: z.string(), value: z.string() }), ...errors },
        security,
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      return identity.blockValue(db, admin.tenantId, request.body, admin.actor);
    },
  );

  r.delete(
    '/api/v1/identity/blocklist',
    { schema: { tags: ['identity rules'], summary: 'Take a value off the list', body: blocklistEntrySchema, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      await identity.unblockValue(db, admin.tenantId, request.body, admin.actor);
      return reply.code(204).send(null);
    },
  );

  r.put(
    '/api/v1/identity/trait-strategies/:trait',
    {
      schema: {
        tags: ['identity rules'],
        summary: 'How a trait combines: latest (default), first, max or union',
        params: traitParams,
        body: traitStrategySchema,
        response: { 200: z.object({ trait: z.string(), strategy: z.string() }), ...errors },
        security,
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      await identity.setTraitStrategy(db, admin.tenantId, request.params.trait, request.body.strategy, admin.actor);
      return { trait: request.params.trait, strategy: request.body.strategy };
    },
  );
}
