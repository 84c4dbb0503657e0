import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  leadAssignSchema,
  leadCreateBodySchema,
  leadIntakeBatchResultSchema,
  leadIntakeResultSchema,
  leadListQuerySchema,
  leadPageSchema,
  leadParams,
  leadPoolQuerySchema,
  leadSchema,
  leadSettingsPutSchema,
  leadSettingsSchema,
  routingRuleInputSchema,
  routingRuleSchema,
} from '../../contracts/leads.js';
import {
  assignLead,
  claimLead,
  createRoutingRule,
  deleteRoutingRule,
  getLead,
  getLeadSettings,
  intakeLeads,
  listLeads,
  listPool,
  listRoutingRules,
  putLeadSettings,
  updateRoutingRule,
} from '../../modules/leads/index.js';
import { MANAGER_ROLES, OPS_ROLES, WRITER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['leads'];

/** Lead intake, reading (scoped), the pool, claim and assignment, lead settings and routing rules. */
export async function leadRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const settingsDeps = { db: deps.store.db, clock: deps.clock };

  r.post(
    '/api/v1/leads',
    {
      schema: {
        tags,
        summary:
          'Take in one lead (201; 200 when its source and externalId were stored already) or { leads: [...] } (200, results in order). ' +
          'Each is resolved to a person (One ID), deduplicated, scored and routed. All or nothing: one bad lead refuses the request, naming its fields. ' +
          "Dealer staff create leads for their own dealer (dealerCode defaults to it; another dealer's code answers 404).",
        body: leadCreateBodySchema,
        response: { 200: z.union([leadIntakeResultSchema, leadIntakeBatchResultSchema]), 201: leadIntakeResultSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request, WRITER_ROLES);
      const results = await intakeLeads(deps, principal, request.body.leads, { single: request.body.single });
      if (!request.body.single) return reply.code(200).send({ results });
      const result = results[0]!;
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  r.get(
    '/api/v1/leads',
    {
      schema: {
        tags,
        summary: 'Leads in your scope, newest first (HQ: all; dealer staff: their units; consultants: theirs; analysts: masked)',
        querystring: leadListQuerySchema,
        response: { 200: leadPageSchema, ...errors },
        security,
      },
    },
    async (request) => listLeads(deps, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/leads/pool',
    {
      schema: {
        tags,
        summary: 'Leads waiting in a pool (公海): HQ roles see every pool, dealer staff the pools of their dealer',
        querystring: leadPoolQuerySchema,
        response: { 200: leadPageSchema, ...errors },
        security,
      },
    },
    async (request) => listPool(deps, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/leads/:id',
    { schema: { tags, summary: 'A lead (404 when it is not in your scope)', params: leadParams, response: { 200: leadSchema, ...errors }, security } },
    async (request) => getLead(deps, requirePrincipal(request), request.params.id),
  );

  r.post(
    '/api/v1/leads/:id/claim',
    {
      schema: {
        tags,
        summary: "A consultant takes a lead from their dealer's pool (409 at their load cap); claiming their own lead again changes nothing",
        params: leadParams,
        response: { 200: leadSchema, ...errors },
        security,
      },
    },
    async (request) => claimLead(deps, requirePrincipal(request, ['consultant']), request.params.id),
  );

  r.post(
    '/api/v1/leads/:id/assign',
    {
      schema: {
        tags,
        summary: "Assign a lead to a consultant, or move it to a dealer's pool (dealer managers within their dealer, HQ operations anywhere); the current assignment again changes nothing",
        params: leadParams,
        body: leadAssignSchema,
        response: { 200: leadSchema, ...errors },
        security,
      },
    },
    async (request) => assignLead(deps, requirePrincipal(request, MANAGER_ROLES), request.params.id, request.body),
  );

  r.get(
    '/api/v1/lead-settings',
    { schema: { tags, summary: 'Duplicate window, follow-up SLA and default load cap', response: { 200: leadSettingsSchema, ...errors }, security } },
    async (request) => getLeadSettings(deps.store.db, requirePrincipal(request, OPS_ROLES).tenantId),
  );

  r.put(
    '/api/v1/lead-settings',
    {
      schema: { tags, summary: 'Change lead settings (fields left out keep their values)', body: leadSettingsPutSchema, response: { 200: leadSettingsSchema, ...errors }, security },
    },
    async (request) => putLeadSettings(settingsDeps, requirePrincipal(request, OPS_ROLES), request.body),
  );

  r.get(
    '/api/v1/routing-rules',
    { schema: { tags, summary: 'Routing rules in the order they are tried', response: { 200: z.object({ data: z.array(routingRuleSchema) }), ...errors }, security } },
    async (request) => ({ data: await listRoutingRules(deps.store.db, requirePrincipal(request, OPS_ROLES).tenantId) }),
  );

  r.post(
    '/api/v1/routing-rules',
    {
      schema: {
        tags,
        summary: 'Create a routing rule (leads matching its cities / provinces / series / sources go to its dealers); the same name and definition answer the existing rule (200)',
        body: routingRuleInputSchema,
        response: { 200: routingRuleSchema, 201: routingRuleSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const result = await createRoutingRule(settingsDeps, requirePrincipal(request, OPS_ROLES), request.body);
      return reply.code(result.created ? 201 : 200).send(result.rule);
    },
  );

  r.put(
    '/api/v1/routing-rules/:id',
    {
      schema: { tags, summary: "Replace a routing rule's definition", params: leadParams, body: routingRuleInputSchema, response: { 200: routingRuleSchema, ...errors }, security },
    },
    async (request) => updateRoutingRule(settingsDeps, requirePrincipal(request, OPS_ROLES), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/routing-rules/:id',
    { schema: { tags, summary: 'Delete a routing rule', params: leadParams, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      await deleteRoutingRule(settingsDeps, requirePrincipal(request, OPS_ROLES), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
