import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import { leadListQuerySchema, leadsCsvSchema } from '../../contracts/leads.js';
import { EXPORT_MAX_ROWS, exportLeadsCsv } from '../../modules/leads/index.js';
import { MANAGER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const EXPORT_ROLES = [...MANAGER_ROLES, 'analyst'] as const;

/** Exports (audited): leads as CSV. */
export async function exportRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/exports/leads.csv',
    {
      schema: {
        tags: ['leads'],
        summary: `The caller's leads as CSV (UTF-8 with BOM; at most ${EXPORT_MAX_ROWS.toLocaleString('en-US')} rows; PII masked for analysts). Audited.`,
        querystring: leadListQuerySchema.omit({ cursor: true, limit: true }),
        response: { 200: leadsCsvSchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema },
        security,
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request, EXPORT_ROLES);
      const chunks = await exportLeadsCsv(deps, principal, request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="leads-${deps.clock.now().toISOString().slice(0, 10)}.csv"`)
        .send(Readable.from(chunks));
    },
  );
}
