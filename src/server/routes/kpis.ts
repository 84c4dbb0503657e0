import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import { kpiQuerySchema, leadKpisSchema } from '../../contracts/kpis.js';
import { leadKpis } from '../../modules/leads/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };
const tags = ['kpis'];

/** The 4S funnel KPIs of the leads of a period (docs/kpis.md); every role, within its scope. */
export async function kpiRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/kpis/leads',
    {
      schema: {
        tags,
        summary:
          'Funnel KPIs (follow-up, visit, test-drive, order, delivery, defeat clarity, referral, precipitation, days to order) of the leads created in [from, to), per org unit, consultant, source or day/week/month',
        querystring: kpiQuerySchema,
        response: { 200: leadKpisSchema, ...errors },
        security,
      },
    },
    async (request) => leadKpis(d, requirePrincipal(request), request.query),
  );
}
