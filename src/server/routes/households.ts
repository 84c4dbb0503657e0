import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  householdCreateSchema,
  householdMemberInputSchema,
  householdMemberParams,
  householdParams,
  householdSchema,
  householdsQuerySchema,
} from '../../contracts/households.js';
import { addHouseholdMember, createHousehold, getHousehold, householdsOfProfile, removeHouseholdMember } from '../../modules/profiles/index.js';
import { WRITER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 308: errorBodySchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['households'];

/**
 * Households: people linked without merging them (management API). A household is visible when one
 * of its members is in the caller's data scope, listing only those members; writers (not analysts)
 * add and remove people in their scope. Others answer 404 like unknown ids.
 */
export async function householdRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/households',
    { schema: { tags, summary: 'Create a household of live profiles that are in none yet', body: householdCreateSchema, response: { 201: householdSchema, ...errors }, security } },
    async (request, reply) => reply.code(201).send(await createHousehold(d, requirePrincipal(request, WRITER_ROLES), request.body)),
  );

  r.get(
    '/api/v1/households',
    {
      schema: { tags, summary: 'The household of a profile (a list of zero or one)', querystring: householdsQuerySchema, response: { 200: z.object({ data: z.array(householdSchema) }), ...errors }, security },
    },
    async (request) => ({ data: await householdsOfProfile(deps.store.db, requirePrincipal(request), request.query.profileId) }),
  );

  r.get(
    '/api/v1/households/:id',
    { schema: { tags, summary: 'A household and its members', params: householdParams, response: { 200: householdSchema, ...errors }, security } },
    async (request) => getHousehold(deps.store.db, requirePrincipal(request), request.params.id),
  );

  r.post(
    '/api/v1/households/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a member (idempotent); a person already in another household is a 409',
        params: householdParams,
        body: householdMemberInputSchema,
        response: { 200: householdSchema, 201: householdSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { household, added } = await addHouseholdMember(d, requirePrincipal(request, WRITER_ROLES), request.params.id, request.body);
      return reply.code(added ? 201 : 200).send(household);
    },
  );

  r.delete(
    '/api/v1/households/:id/members/:profileId',
    { schema: { tags, summary: 'Remove a member (idempotent)', params: householdMemberParams, response: { 200: householdSchema, ...errors }, security } },
    async (request) => removeHouseholdMember(d, requirePrincipal(request, WRITER_ROLES), request.params.id, request.params.profileId),
  );
}
