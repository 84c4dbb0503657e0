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
  wecomUrlVerificationQuerySchema,
} from '../../contracts/wecom.js';
import { ADMIN_ROLES } from '../../modules/tenancy/index.js';
import {
  checkWecomConnector,
  createWecomConnector,
  deleteWecomConnector,
  getWecomConnector,
  listWecomConnectors,
  updateWecomConnector,
  verifyCallbackUrl,
  WecomCallbackError,
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
}

/**
 * WeCom's calls to a connector's callback URL, outside the management API: no Authorization header,
 * WeCom signs each request with the connector's token. Only the URL verification (GET) exists so far.
 */
export async function wecomCallbackRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

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
        if (isAppError(err) && err.statusCode < 500) {
          const reason = err instanceof WecomCallbackError ? err.reason : undefined;
          request.log.warn({ connectorId, code: err.code, reason }, `WeCom URL verification refused: ${err.message}`);
        }
        throw err;
      }
    },
  );
}
