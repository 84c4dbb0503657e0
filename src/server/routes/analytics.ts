import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  funnelQuerySchema,
  funnelSchema,
  reachablePoolSchema,
  stageDistributionQuerySchema,
  stageDistributionSchema,
  stageFlowsQuerySchema,
  stageFlowsSchema,
} from '../../contracts/analytics.js';
import { errorBodySchema } from '../../contracts/common.js';
import { funnel, reachablePool, stageDistribution, stageFlows } from '../../modules/analytics/index.js';
import { HQ_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
/** Tenant-wide aggregates: HQ roles only (dealer staff read their own figures from the KPIs API). */
const hq = (request: FastifyRequest) => requirePrincipal(request, HQ_ROLES).tenantId;
const tags = ['analytics'];

/** Read-only analytics over stage models, first touches and reachability (management API). */
export async function analyticsRoutes(app: FastifyInstance, deps: AppDeps) {
  const db = deps.store.db;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/analytics/stages',
    {
      schema: {
        tags,
        summary: 'Profiles per stage of a model, now or at a past time, in model order',
        querystring: stageDistributionQuerySchema,
        response: { 200: stageDistributionSchema, ...errors },
        security,
      },
    },
    async (request) => stageDistribution(db, hq(request), request.query),
  );

  r.get(
    '/api/v1/analytics/stage-flows',
    {
      schema: {
        tags,
        summary: 'Stage at `from` against stage at `to`, counted per pair (Sankey nodes and links)',
        querystring: stageFlowsQuerySchema,
        response: { 200: stageFlowsSchema, ...errors },
        security,
      },
    },
    async (request) => stageFlows(db, hq(request), { ...request.query, now: deps.clock.now() }),
  );

  r.get(
    '/api/v1/analytics/funnel',
    {
      schema: {
        tags,
        summary: 'The stage model (default aarrr) as a funnel over the profiles first touched in [from, to), with conversion rates',
        querystring: funnelQuerySchema,
        response: { 200: funnelSchema, ...errors },
        security,
      },
    },
    async (request) => funnel(db, hq(request), { ...request.query, now: deps.clock.now() }),
  );

  r.get(
    '/api/v1/analytics/reachable-pool',
    {
      schema: {
        tags,
        summary: 'Live profiles reachable now per channel (WeCom friend, SMS consent, OA follower), by domain class of the first touch',
        response: { 200: reachablePoolSchema, ...errors },
        security,
      },
    },
    async (request) => reachablePool(db, hq(request), { now: deps.clock.now() }),
  );
}
