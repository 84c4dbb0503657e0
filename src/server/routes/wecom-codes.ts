import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, uuidString } from '../../contracts/common.js';
import {
  wecomChannelCodeCreateSchema,
  wecomChannelCodeListSchema,
  wecomChannelCodeParams,
  wecomChannelCodeQrSchema,
  wecomChannelCodeSchema,
  wecomChannelCodeUpdateSchema,
  wecomChurnQuerySchema,
  wecomChurnSchema,
  wecomCodeStatsQuerySchema,
  wecomCodeStatsSchema,
} from '../../contracts/wecom-codes.js';
import {
  channelCodeQrImage,
  channelCodeStats,
  createChannelCode,
  deleteChannelCode,
  getChannelCode,
  listChannelCodes,
  updateChannelCode,
  wecomChurn,
} from '../../modules/wecom/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 503: errorBodySchema };
const tags = ['wecom'];

/** Channel codes (渠道活码), their precipitation figures, and the churn list. */
export async function wecomCodeRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/wecom/channel-codes',
    {
      schema: {
        tags,
        summary:
          'Create a channel code: a 「联系我」 QR code on WeCom (add_contact_way) for a rota of consultants, or a 获客链接 made in WeCom; its state attributes each new friend ' +
          'to the source, campaign, dealer and series, and its welcome message greets them. A state taken on the connector is a 409',
        body: wecomChannelCodeCreateSchema,
        response: { 201: wecomChannelCodeSchema, ...errors },
        security,
      },
    },
    async (request, reply) => reply.code(201).send(await createChannelCode(deps, requirePrincipal(request), request.body)),
  );

  r.get(
    '/api/v1/wecom/channel-codes',
    {
      schema: {
        tags,
        summary: 'The channel codes you manage (HQ: all; a dealer manager: their dealer\'s)',
        querystring: z.object({ connectorId: uuidString.optional() }),
        response: { 200: wecomChannelCodeListSchema, ...errors },
        security,
      },
    },
    async (request) => ({ data: await listChannelCodes(deps, requirePrincipal(request), request.query.connectorId) }),
  );

  r.get(
    '/api/v1/wecom/channel-codes/:id',
    { schema: { tags, summary: 'A channel code', params: wecomChannelCodeParams, response: { 200: wecomChannelCodeSchema, ...errors }, security } },
    async (request) => getChannelCode(deps, requirePrincipal(request), request.params.id),
  );

  r.get(
    '/api/v1/wecom/channel-codes/:id/qr',
    {
      schema: {
        tags,
        summary:
          "A contact way's QR image, fetched from WeCom by the server, so that a console with a strict Content-Security-Policy can show and download it. " +
          'An acquisition link has none (404); WeCom unreachable or answering something other than an image is a 503',
        params: wecomChannelCodeParams,
        response: { 200: wecomChannelCodeQrSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const image = await channelCodeQrImage(deps, requirePrincipal(request), request.params.id);
      return reply
        .type(image.contentType)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(image.bytes);
    },
  );

  r.put(
    '/api/v1/wecom/channel-codes/:id',
    {
      schema: {
        tags,
        summary: "Replace a channel code's settings (its state and kind stay); the contact way's members follow on WeCom (update_contact_way)",
        params: wecomChannelCodeParams,
        body: wecomChannelCodeUpdateSchema,
        response: { 200: wecomChannelCodeSchema, ...errors },
        security,
      },
    },
    async (request) => updateChannelCode(deps, requirePrincipal(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/wecom/channel-codes/:id',
    {
      schema: {
        tags,
        summary: 'Delete a channel code and its contact way on WeCom; the friendships it brought keep their attribution',
        params: wecomChannelCodeParams,
        response: { 204: z.null(), ...errors },
        security,
      },
    },
    async (request, reply) => {
      await deleteChannelCode(deps, requirePrincipal(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/wecom/channel-codes/:id/stats',
    {
      schema: {
        tags,
        summary:
          'A channel code per day of the add (tenant time zone): adds, friendships still alive 7 and 30 days later (of the adds old enough to tell), the share the ' +
          'customer deleted; the same split by the first lead source of people who came in as leads; welcome messages by outcome',
        params: wecomChannelCodeParams,
        querystring: wecomCodeStatsQuerySchema,
        response: { 200: wecomCodeStatsSchema, ...errors },
        security,
      },
    },
    async (request) => channelCodeStats(deps, requirePrincipal(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/wecom/churn',
    {
      schema: {
        tags,
        summary: 'Customers who deleted their consultant (del_follow_user), newest first: HQ sees all, a dealer manager their staff\'s, a consultant their own',
        querystring: wecomChurnQuerySchema,
        response: { 200: wecomChurnSchema, ...errors },
        security,
      },
    },
    async (request) => wecomChurn(deps, requirePrincipal(request), request.query),
  );
}
