import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  wecomMassCapListSchema,
  wecomMassCapSettingSchema,
  wecomMassCapUpdateSchema,
  wecomMassCreateSchema,
  wecomMassDetailSchema,
  wecomMassListQuerySchema,
  wecomMassListSchema,
  wecomMassParams,
  wecomMassRecipientsQuerySchema,
  wecomMassRecipientsSchema,
} from '../../contracts/wecom-mass.js';
import { MANAGER_ROLES, OPS_ROLES, type Role } from '../../modules/tenancy/index.js';
import {
  createWecomMassMessage,
  getWecomMassMessage,
  listWecomMassCaps,
  listWecomMassMessages,
  setWecomMassCap,
  wecomMassRecipients,
} from '../../modules/wecom/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const readErrors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const errors = { ...readErrors, 409: errorBodySchema };
const tags = ['wecom'];
/** Who reads mass messages: HQ roles all of them, dealer managers those created in their units. */
const READERS: readonly Role[] = ['admin', 'hq_ops', 'analyst', 'dealer_manager'];
const taskPath = (id: string) => `/api/v1/wecom/mass-messages/${id}`;

/**
 * Mass messages (企业群发) to a saved segment or a tag, each person once through the consultant of
 * their most recent live friendship, who confirms the send in WeCom. HQ operations (admin, hq_ops)
 * reach the whole tenant; a dealer manager only the people in their scope, through their units'
 * consultants; consultants, advisors and analysts create none.
 */
export async function wecomMassRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.store.db;
  const reader = (request: FastifyRequest) => requirePrincipal(request, READERS);

  r.post(
    '/api/v1/wecom/mass-messages',
    {
      schema: {
        tags,
        summary:
          'Queue a mass message: the connector and the audience are checked at once (400, nothing written), then 202 with the task (state queued) and Location. ' +
          'A job chooses the recipients in your scope (each person once, through the consultant of their most recent live friendship on the connector; skipped with a ' +
          'counted reason: no_friendship, consultant_inactive, no_consent (WeCom marketing consent must be granted), cap_reached) and hands each consultant\'s share to ' +
          'WeCom (add_msg_template); the consultant confirms the send in WeCom. The same idempotencyKey (or, without one, the same request on the same day) answers ' +
          'the same task with 200; the same key with another request is a 409',
        body: wecomMassCreateSchema,
        response: { 200: wecomMassDetailSchema, 202: wecomMassDetailSchema, ...errors },
        responseHeaders: { 202: { Location: 'The task: /api/v1/wecom/mass-messages/{id}' } },
        security,
      },
    },
    async (request, reply) => {
      const { message, created } = await createWecomMassMessage(deps, requirePrincipal(request, MANAGER_ROLES), request.body);
      if (!created) return reply.code(200).send(message);
      return reply.code(202).header('location', taskPath(message.id)).send(message);
    },
  );

  r.get(
    '/api/v1/wecom/mass-messages',
    {
      schema: {
        tags,
        summary: 'Mass messages, newest first, with their counts: every one for HQ roles, those created in your units for dealer managers',
        querystring: wecomMassListQuerySchema,
        response: { 200: wecomMassListSchema, ...readErrors },
        security,
      },
    },
    async (request) => listWecomMassMessages(db, reader(request), request.query),
  );

  r.get(
    '/api/v1/wecom/mass-messages/:id',
    {
      schema: {
        tags,
        summary: "A mass message: its state, the cap it was prepared under, its counts (skipped per reason, waiting, sent …) and each consultant's share with WeCom's msgids",
        params: wecomMassParams,
        response: { 200: wecomMassDetailSchema, ...readErrors },
        security,
      },
    },
    async (request) => getWecomMassMessage(db, reader(request), request.params.id),
  );

  r.get(
    '/api/v1/wecom/mass-messages/:id/recipients',
    {
      schema: {
        tags,
        summary: "A mass message's recipients in your scope, in profile id order: the consultant, the status (or the reason it was skipped) and WeCom's send status",
        params: wecomMassParams,
        querystring: wecomMassRecipientsQuerySchema,
        response: { 200: wecomMassRecipientsSchema, ...readErrors },
        security,
      },
    },
    async (request) => wecomMassRecipients(db, reader(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/wecom/mass-message-caps',
    {
      schema: {
        tags,
        summary: "The cap on mass messages per customer: the tenant's default (WeCom's, as many as the days of the month, until set) and each connector's own",
        response: { 200: wecomMassCapListSchema, ...readErrors },
        security,
      },
    },
    async (request) => ({ data: await listWecomMassCaps(db, reader(request).tenantId) }),
  );

  r.put(
    '/api/v1/wecom/mass-message-caps',
    {
      schema: {
        tags,
        summary:
          "Set the cap on mass messages per customer for the tenant or one connector, as the corp's 群发规则 says: a calendar month (default: as many as its days), " +
          'a week (7) or a day (1), in the tenant time zone; a limit of your own may be lower. Counted from Siyu\'s own mass messages; admin and hq_ops',
        body: wecomMassCapUpdateSchema,
        response: { 200: wecomMassCapSettingSchema, ...readErrors },
        security,
      },
    },
    async (request) => setWecomMassCap(deps, requirePrincipal(request, OPS_ROLES), request.body),
  );
}
