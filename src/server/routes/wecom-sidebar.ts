import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  wecomJsapiSignatureQuerySchema,
  wecomJsapiSignatureSchema,
  wecomSidebarQuerySchema,
  wecomSidebarSchema,
} from '../../contracts/wecom-sidebar.js';
import { agentConfigSignature, wecomSidebar } from '../../modules/wecom/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['wecom'];

/**
 * The consultant sidebar, a page of the WeCom app beside the chat (聊天工具栏): signed-in staff of any
 * role, in their own scope; the page calls these with the staff session token.
 */
export async function wecomSidebarRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/wecom/jsapi-signature',
    {
      schema: {
        tags,
        summary:
          "The wx.agentConfig settings for a sidebar page: corpId, agentId, timestamp, nonceStr and the signature of the page URL with the app's jsapi_ticket " +
          '(cached for its lifetime, WeCom limits how often it may be fetched). Staff session tokens only; connectorId may be left out while the tenant has one connector',
        querystring: wecomJsapiSignatureQuerySchema,
        response: { 200: wecomJsapiSignatureSchema, ...errors, 503: errorBodySchema },
        security,
      },
    },
    async (request) => agentConfigSignature(deps, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/wecom/sidebar',
    {
      schema: {
        tags,
        summary:
          "The chat customer's summary for the sidebar, found by their external_userid in the connector's corp: the person (phone masked for roles that see personal data masked), " +
          'their stages, the open lead with its next follow-up, the last 20 events and their tags. A customer outside your scope answers 404 like an unknown one',
        querystring: wecomSidebarQuerySchema,
        response: { 200: wecomSidebarSchema, ...errors },
        security,
      },
    },
    async (request) => wecomSidebar(deps, requirePrincipal(request), request.query),
  );
}
