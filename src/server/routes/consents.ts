import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { consentHistoryEntrySchema, consentRecordSchema, consentRecordedSchema, consentSchema } from '../../contracts/consents.js';
import { profileParams } from '../../contracts/profiles.js';
import { consentHistory, listConsents, recordConsent, requireVisibleProfile } from '../../modules/profiles/index.js';
import { WRITER_ROLES, type Principal } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 308: errorBodySchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['consents'];

/**
 * Consent (PIPL) per profile, channel and purpose (management API): read for profiles in the caller's
 * data scope, recorded by writers (not analysts); other profiles answer 404 like unknown ids.
 */
export async function consentRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** The tenant of a caller who may see profile `id`. */
  const visible = async (principal: Principal, id: string) => {
    await requireVisibleProfile(d.db, principal, id);
    return principal.tenantId;
  };

  r.post(
    '/api/v1/profiles/:id/consents',
    {
      schema: {
        tags,
        summary: 'Record a consent; an older record than the current state goes to the history only; replays are no-ops',
        params: profileParams,
        body: consentRecordSchema,
        response: { 200: consentRecordedSchema, 201: consentRecordedSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const tenantId = await visible(requirePrincipal(request, WRITER_ROLES), request.params.id);
      const result = await recordConsent(d, tenantId, request.params.id, request.body);
      return reply.code(result.recorded ? 201 : 200).send(result);
    },
  );

  r.get(
    '/api/v1/profiles/:id/consents',
    { schema: { tags, summary: 'Current consent states', params: profileParams, response: { 200: z.object({ data: z.array(consentSchema) }), ...errors }, security } },
    async (request) => ({ data: await listConsents(deps.store.db, await visible(requirePrincipal(request), request.params.id), request.params.id) }),
  );

  r.get(
    '/api/v1/profiles/:id/consents/history',
    {
      schema: { tags, summary: 'Every consent record, newest first', params: profileParams, response: { 200: z.object({ data: z.array(consentHistoryEntrySchema) }), ...errors }, security },
    },
    async (request) => ({ data: await consentHistory(deps.store.db, await visible(requirePrincipal(request), request.params.id), request.params.id) }),
  );
}
