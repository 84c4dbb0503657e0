import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  allowedTransitionsSchema,
  defeatDecisionSchema,
  defeatListQuery,
  defeatRequestCreateSchema,
  defeatRequestPageSchema,
  defeatRequestParams,
  defeatRequestSchema,
  followUpCreateSchema,
  followUpResultSchema,
  followUpSchema,
  leadIdParams,
  leadTransitionSchema,
  transitionCreateSchema,
  transitionResultSchema,
} from '../../contracts/funnel.js';
import { DEFEAT_REQUESTERS, addFollowUp, allowedTransitions, decideDefeat, getDefeatRequest, listDefeatRequests, listFollowUps, leadTransitions, requestDefeat, transitionLead } from '../../modules/leads/index.js';
import { MANAGER_ROLES, WRITER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['funnel'];
/** The decision body is optional (a note at most). */
const decisionBody = defeatDecisionSchema.nullish().transform((b) => ({ note: b?.note }));

/**
 * The 4S funnel after routing: transitions, follow-ups, defeat requests (docs/funnel.md). Leads
 * outside the caller's scope answer 404.
 */
export async function funnelRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, store: deps.store, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/leads/:id/transitions',
    {
      schema: {
        tags,
        summary:
          'Move a lead: forward to contacted / invited / visited / test_drive (steps may be skipped), to invalid with a reason, or (managers) reopen a defeated or invalid lead. The current status again changes nothing; an illegal move is 409 listing the allowed ones',
        params: leadIdParams,
        body: transitionCreateSchema,
        response: { 200: transitionResultSchema, ...errors },
        security,
      },
    },
    async (request) => transitionLead(d, requirePrincipal(request, WRITER_ROLES), request.params.id, request.body),
  );

  r.get(
    '/api/v1/leads/:id/allowed-transitions',
    {
      schema: {
        tags,
        summary: 'The statuses the caller may move this lead to now, and whether a defeat request may be filed: the same rules POST …/transitions checks',
        params: leadIdParams,
        response: { 200: allowedTransitionsSchema, ...errors },
        security,
      },
    },
    async (request) => allowedTransitions(deps.store.db, requirePrincipal(request), request.params.id),
  );

  r.get(
    '/api/v1/leads/:id/transitions',
    { schema: { tags, summary: "A lead's status history with time, actor and reason, oldest first", params: leadIdParams, response: { 200: z.object({ data: z.array(leadTransitionSchema) }), ...errors }, security } },
    async (request) => ({ data: await leadTransitions(deps.store.db, requirePrincipal(request), request.params.id) }),
  );

  r.post(
    '/api/v1/leads/:id/follow-ups',
    {
      schema: {
        tags,
        summary:
          'Record a follow-up (call, WeCom chat, SMS, visit): the first one stops the SLA clock, an assigned lead becomes contacted. A retry with the same id answers the stored record (200)',
        params: leadIdParams,
        body: followUpCreateSchema,
        response: { 200: followUpResultSchema, 201: followUpResultSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { created, ...result } = await addFollowUp(d, requirePrincipal(request, WRITER_ROLES), request.params.id, request.body);
      return reply.code(created ? 201 : 200).send(result);
    },
  );

  r.get(
    '/api/v1/leads/:id/follow-ups',
    { schema: { tags, summary: "A lead's follow-ups, newest first", params: leadIdParams, response: { 200: z.object({ data: z.array(followUpSchema) }), ...errors }, security } },
    async (request) => ({ data: await listFollowUps(deps.store.db, requirePrincipal(request), request.params.id) }),
  );

  r.post(
    '/api/v1/leads/:id/defeat-requests',
    {
      schema: {
        tags,
        summary:
          "Ask for a lead to be closed as defeated (战败), with a reason code and a remark: the lead's consultant or a manager. One pending request per lead (another is 409 naming it; the same again answers it, 200)",
        params: leadIdParams,
        body: defeatRequestCreateSchema,
        response: { 200: defeatRequestSchema, 201: defeatRequestSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const result = await requestDefeat(d, requirePrincipal(request, DEFEAT_REQUESTERS), request.params.id, request.body);
      return reply.code(result.created ? 201 : 200).send(result.request);
    },
  );

  r.get(
    '/api/v1/defeat-requests',
    { schema: { tags, summary: 'Defeat requests of the leads you may see (managers: their units’), newest first', querystring: defeatListQuery, response: { 200: defeatRequestPageSchema, ...errors }, security } },
    async (request) => ({ data: await listDefeatRequests(deps.store.db, requirePrincipal(request), request.query) }),
  );

  r.get(
    '/api/v1/defeat-requests/:id',
    { schema: { tags, summary: 'A defeat request', params: defeatRequestParams, response: { 200: defeatRequestSchema, ...errors }, security } },
    async (request) => getDefeatRequest(deps.store.db, requirePrincipal(request), request.params.id),
  );

  for (const [action, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    r.post(
      `/api/v1/defeat-requests/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            decision === 'approved'
              ? "Approve a defeat: the lead becomes defeated. A manager of the lead's dealer; not the requester (unless admin). Approving again changes nothing"
              : 'Reject a defeat: the lead keeps its status. A manager of the lead’s dealer; not the requester (unless admin)',
          params: defeatRequestParams,
          body: decisionBody,
          response: { 200: defeatRequestSchema, ...errors },
          security,
        },
      },
      async (request) => (await decideDefeat(d, requirePrincipal(request, MANAGER_ROLES), request.params.id, decision, request.body.note)).request,
    );
  }
}
