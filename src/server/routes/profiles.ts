import { eraseWecomPersonalData } from '../../modules/wecom/index.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  profileErasedSchema,
  profileEventsPageSchema,
  profileEventsQuerySchema,
  profileLookupQuerySchema,
  profileMergesSchema,
  profileParams,
  profileSchema,
  profileSearchQuerySchema,
  profilesPageSchema,
} from '../../contracts/profiles.js';
import { eraseProfile, getProfile, lookupProfile, profileEvents, profileMerges, requireVisibleProfile, searchProfiles } from '../../modules/profiles/index.js';
import { OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 308: errorBodySchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['profiles'];
const merged =
  ' A merged-away id answers 308 with Location naming the surviving profile. A profile outside the caller’s data scope answers 404 like an unknown id; analysts see personal values masked.';

/**
 * Customer 360 under `/api/v1/profiles`: every role reads the customers in its data scope (dealer
 * staff their dealer's, consultants their own; HQ roles the tenant), analysts masked; erasure: hq_ops.
 */
export async function profileRoutes(app: FastifyInstance, deps: AppDeps) {
  const db = deps.store.db;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/profiles',
    {
      schema: {
        tags,
        summary:
          'Search the live profiles in the caller’s data scope by name, phone suffix (4+ digits) or exact identifier value; without q, most recently updated first',
        querystring: profileSearchQuerySchema,
        response: { 200: profilesPageSchema, ...errors },
        security,
      },
    },
    async (request) => searchProfiles(db, requirePrincipal(request), request.query),
  );

  // A static segment: the router prefers it to `/:id` whatever the order, so `lookup` is never taken for an id.
  r.get(
    '/api/v1/profiles/lookup',
    {
      schema: {
        tags,
        summary: 'The live profile holding an identifier (404 when none in the caller’s scope does); the value is normalised as on ingest (phone → E.164)',
        querystring: profileLookupQuerySchema,
        response: { 200: profileSchema, ...errors },
        security,
      },
    },
    async (request) => lookupProfile(db, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/profiles/:id',
    { schema: { tags, summary: `A profile: traits, identities, vehicles, household, consents.${merged}`, params: profileParams, response: { 200: profileSchema, ...errors }, security } },
    async (request) => getProfile(db, requirePrincipal(request), request.params.id),
  );

  r.get(
    '/api/v1/profiles/:id/events',
    {
      schema: {
        tags,
        summary: `The profile's events, newest first.${merged}`,
        params: profileParams,
        querystring: profileEventsQuerySchema,
        response: { 200: profileEventsPageSchema, ...errors },
        security,
      },
    },
    async (request) => profileEvents(db, requirePrincipal(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/profiles/:id/merges',
    {
      schema: {
        tags,
        summary: `Merges, blocked merges, reassignments and splits involving the profile or profiles merged into it, newest first.${merged}`,
        params: profileParams,
        response: { 200: profileMergesSchema, ...errors },
        security,
      },
    },
    async (request) => profileMerges(db, requirePrincipal(request), request.params.id),
  );

  r.delete(
    '/api/v1/profiles/:id',
    {
      schema: {
        tags,
        summary: `Erase a person (PIPL; admin, hq_ops): the profile, profiles merged into it, their events, identifiers, vehicles relations, household membership and consents; the identity log keeps ids and times only.${merged}`,
        params: profileParams,
        response: { 200: profileErasedSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const principal = requirePrincipal(request, OPS_ROLES);
      await requireVisibleProfile(db, principal, request.params.id);
      return eraseProfile(db, principal.tenantId, request.params.id, principal.actor, deps.clock.now(), [eraseWecomPersonalData]);
    },
  );
}
