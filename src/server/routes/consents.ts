import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { consentHistoryEntrySchema, consentRecordSchema, consentRecordedSchema, consentSchema } from '../../contracts/consents.js';
import { profileParams } from '../../contracts/profiles.js';
import { consentHistory, listConsents, recordConsent } from '../../modules/profiles/index.js';
import { adminSecurity as security, requireAdmin } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 308: errorBodySchema, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['consents'];

/** Consent (PIPL) per profile, channel and purpose (management API). */
export async function consentRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

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
      const result = await recordConsent(d, requireAdmin(request).tenantId, request.params.id, request.body);
      return reply.code(result.recorded ? 201 : 200).send(result);
    },
  );

  r.get(
    '/api/v1/profiles/:id/consents',
    { schema: { tags, summary: 'Current consent states', params: profileParams, response: { 200: z.object({ data: z.array(consentSchema) }), ...errors }, security } },
    async (request) => ({ data: await listConsents(deps.store.db, requireAdmin(request).tenantId, request.params.id) }),
  );

  r.get(
    '/api/v1/profiles/:id/consents/history',
    {
      schema: { tags, summary: 'Every consent record, newest first', params: profileParams, response: { 200: z.object({ data: z.array(consentHistoryEntrySchema) }), ...errors }, security },
    },
    async (request) => ({ data: await consentHistory(deps.store.db, requireAdmin(request).tenantId, request.params.id) }),
  );
}
