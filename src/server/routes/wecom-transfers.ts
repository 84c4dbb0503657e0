import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  wecomResignedTransferCreateSchema,
  wecomTransferCreateSchema,
  wecomTransferListQuerySchema,
  wecomTransferPageSchema,
  wecomTransferParams,
  wecomTransferSchema,
} from '../../contracts/wecom-transfers.js';
import { createResignedTransfer, createTransfer, getTransfer, listTransfers } from '../../modules/wecom/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const readErrors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 503: errorBodySchema };
const errors = { ...readErrors, 409: errorBodySchema };
const tags = ['wecom'];

/**
 * Customer transfers between consultants (在职继承, 离职继承): HQ operations anywhere, a dealer
 * manager between their own dealer's consultants.
 */
export async function wecomTransferRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/wecom/transfers',
    {
      schema: {
        tags,
        summary:
          "Hand a consultant's customers to another consultant (在职继承, WeCom transfer_customer in calls of at most 100). Customers WeCom would refuse are refused " +
          'per customer before calling: transferred twice in the last 90 days (over_quota) or already waiting in a transfer (in_transfer). Each customer has 24 hours ' +
          "to refuse; the outcomes follow (GET /api/v1/wecom/transfers/{id}). With an idempotencyKey, or when every customer is already waiting in one transfer " +
          'between the same consultants, a repeat answers that transfer (200)',
        body: wecomTransferCreateSchema,
        response: { 200: wecomTransferSchema, 201: wecomTransferSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { transfer, created } = await createTransfer(deps, requirePrincipal(request), request.body);
      return reply.code(created ? 201 : 200).send(transfer);
    },
  );

  r.post(
    '/api/v1/wecom/transfers/resigned',
    {
      schema: {
        tags,
        summary:
          "Hand every customer of a departed member (their live WeCom friendships on record) to a consultant (离职继承, resigned/transfer_customer in calls of at most 100). " +
          'Customers already waiting in a transfer are left out (in_transfer); a member without customers on record is a 409',
        body: wecomResignedTransferCreateSchema,
        response: { 200: wecomTransferSchema, 201: wecomTransferSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { transfer, created } = await createResignedTransfer(deps, requirePrincipal(request), request.body);
      return reply.code(created ? 201 : 200).send(transfer);
    },
  );

  r.get(
    '/api/v1/wecom/transfers',
    {
      schema: {
        tags,
        summary: 'Customer transfers, newest first, with the WeCom calls made and the customers per outcome: HQ operations see all, a dealer manager those into or out of their dealer',
        querystring: wecomTransferListQuerySchema,
        response: { 200: wecomTransferPageSchema, ...readErrors },
        security,
      },
    },
    async (request) => listTransfers(deps, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/wecom/transfers/:id',
    {
      schema: {
        tags,
        summary: "A customer transfer with each customer's outcome (waiting, taken_over, refused, limit_exceeded, …) and why",
        params: wecomTransferParams,
        response: { 200: wecomTransferSchema, ...readErrors },
        security,
      },
    },
    async (request) => getTransfer(deps, requirePrincipal(request), request.params.id),
  );
}
