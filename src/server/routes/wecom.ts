import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  wecomConnectorCreateSchema,
  wecomConnectorListSchema,
  wecomConnectorParams,
  wecomConnectorSchema,
  wecomConnectorUpdateSchema,
  wecomEchoSchema,
  wecomHealthSchema,
  wecomInboxSchema,
  wecomCallbackBodySchema,
  wecomCallbackQuerySchema,
  wecomUrlVerificationQuerySchema,
} from '../../contracts/wecom.js';
import { ADMIN_ROLES } from '../../modules/tenancy/index.js';
import {
  acceptCallback,
  checkWecomConnector,
  createWecomConnector,
  deleteWecomConnector,
  getWecomConnector,
  listWecomConnectors,
  updateWecomConnector,
  verifyCallbackUrl,
  MAX_CALLBACK_BODY_BYTES,
  WecomCallbackError,
  wecomInbox,
} from '../../modules/wecom/index.js';
import { isAppError } from '../../platform/errors.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 503: errorBodySchema };
const tags = ['wecom'];

/**
 * The origin WeCom is to call, as the admin reached this server (scheme, host and port of the
 * request): the callback URL is built on it.
 */
function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** WeCom connectors on the management API: admins only, as every credential of the tenant. */
export async function wecomRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = (request: FastifyRequest) => requirePrincipal(request, ADMIN_ROLES);

  r.post(
    '/api/v1/connectors/wecom',
    {
      schema: {
        tags,
        summary:
          'Connect a WeCom corp (one connector per corp): its self-built app and callback settings. The secret, token and EncodingAESKey are stored encrypted ' +
          '(503 when the server has no SIYU_SECRET_KEY) and never shown again; the answer carries the callbackUrl to enter in WeCom',
        body: wecomConnectorCreateSchema,
        response: { 201: wecomConnectorSchema, ...errors },
        security,
      },
    },
    async (request, reply) => reply.code(201).send(await createWecomConnector(deps, admin(request), request.body, requestOrigin(request))),
  );

  r.get(
    '/api/v1/connectors/wecom',
    { schema: { tags, summary: "The tenant's WeCom connectors (never their secrets)", response: { 200: wecomConnectorListSchema, ...errors }, security } },
    async (request) => ({ data: await listWecomConnectors(deps, admin(request).tenantId, requestOrigin(request)) }),
  );

  r.get(
    '/api/v1/connectors/wecom/:id',
    { schema: { tags, summary: 'A WeCom connector (never its secrets)', params: wecomConnectorParams, response: { 200: wecomConnectorSchema, ...errors }, security } },
    async (request) => getWecomConnector(deps, admin(request).tenantId, request.params.id, requestOrigin(request)),
  );

  r.put(
    '/api/v1/connectors/wecom/:id',
    {
      schema: {
        tags,
        summary: 'Replace a WeCom connector\'s settings; a secret, token or EncodingAESKey left out keeps the stored one (a new apiBaseUrl host needs the secret again)',
        params: wecomConnectorParams,
        body: wecomConnectorUpdateSchema,
        response: { 200: wecomConnectorSchema, ...errors },
        security,
      },
    },
    async (request) => updateWecomConnector(deps, admin(request), request.params.id, request.body, requestOrigin(request)),
  );

  r.delete(
    '/api/v1/connectors/wecom/:id',
    { schema: { tags, summary: 'Remove a WeCom connector and its stored credentials; WeCom\'s callbacks to it are refused from then on', params: wecomConnectorParams, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      await deleteWecomConnector(deps, admin(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/connectors/wecom/:id/check',
    {
      schema: {
        tags,
        summary: "Check the connector's corp id and secret with WeCom (gettoken): ok, WeCom's errcode, and what to do about it in words (e.g. 60020: add this server's IP to 企业可信IP)",
        params: wecomConnectorParams,
        response: { 200: wecomHealthSchema, ...errors },
        security,
      },
    },
    async (request) => checkWecomConnector(deps, admin(request).tenantId, request.params.id),
  );

  r.get(
    '/api/v1/connectors/wecom/:id/callbacks',
    {
      schema: {
        tags,
        summary: "The connector's callback inbox: callbacks waiting to be applied and since when, the last day's by outcome, the latest that could not be applied",
        params: wecomConnectorParams,
        response: { 200: wecomInboxSchema, ...errors },
        security,
      },
    },
    async (request) => wecomInbox(deps, admin(request).tenantId, request.params.id),
  );
}

/**
 * WeCom's calls to a connector's callback URL, outside the management API: no Authorization header,
 * WeCom signs each request with the connector's token: the URL verification (GET) and the events (POST).
 */
export async function wecomCallbackRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // WeCom posts XML (text/xml): read as bytes, parsed only after the checks.
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: MAX_CALLBACK_BODY_BYTES }, (_request, body, done) => done(null, body));
  const refused = (request: FastifyRequest, connectorId: string, what: string, err: unknown) => {
    if (isAppError(err) && err.statusCode < 500) {
      const reason = err instanceof WecomCallbackError ? err.reason : undefined;
      request.log.warn({ connectorId, code: err.code, reason }, `${what} refused: ${err.message}`);
    }
  };

  r.get(
    '/connectors/wecom/:id/callback',
    {
      schema: {
        tags,
        summary:
          "WeCom's URL verification, when an admin saves the callback URL: checks the timestamp (at most 300 s old) and msg_signature, decrypts echostr " +
          "for the connector's corp id and answers the plaintext exactly. Refusals are 4xx, logged, nothing stored",
        params: wecomConnectorParams,
        querystring: wecomUrlVerificationQuerySchema,
        response: { 200: wecomEchoSchema, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 503: errorBodySchema },
        // No credentials in a header: the signature in the query authenticates WeCom.
        security: [],
      },
    },
    async (request, reply) => {
      const connectorId = request.params.id;
      try {
        const { tenantId, echo } = await verifyCallbackUrl(deps, connectorId, request.query);
        request.log.info({ connectorId, tenantId }, 'WeCom URL verification answered');
        return reply.type('text/plain; charset=utf-8').send(echo);
      } catch (err) {
        refused(request, connectorId, 'WeCom URL verification', err);
        throw err;
      }
    },
  );

  r.post(
    '/connectors/wecom/:id/callback',
    {
      bodyLimit: MAX_CALLBACK_BODY_BYTES,
      schema: {
        tags,
        summary:
          'A WeCom event (客户变更, 客户群变更, 客户标签变更): checks the timestamp (at most 300 s old), msg_signature over Encrypt, decrypts it for the ' +
          "connector's corp id and stores it once (WeCom's retries are recognised), answering 200 with an empty body at once; the worker applies it. " +
          'Refusals (bad signature, receive id, padding, XML, DOCTYPE/ENTITY, a body over 64 KB, a stale timestamp) are 4xx, logged, nothing stored',
        params: wecomConnectorParams,
        querystring: wecomCallbackQuerySchema,
        body: wecomCallbackBodySchema,
        response: { 200: wecomEchoSchema, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 413: errorBodySchema, 503: errorBodySchema },
        security: [],
      },
    },
    async (request, reply) => {
      const connectorId = request.params.id;
      const body: unknown = request.body;
      try {
        const accepted = await acceptCallback(deps, connectorId, request.query, Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : '');
        request.log.info({ connectorId, tenantId: accepted.tenantId, event: accepted.event, changeType: accepted.changeType, outcome: accepted.outcome }, 'WeCom callback accepted');
        return reply.type('text/plain; charset=utf-8').send('');
      } catch (err) {
        refused(request, connectorId, 'WeCom callback', err);
        throw err;
      }
    },
  );
}
