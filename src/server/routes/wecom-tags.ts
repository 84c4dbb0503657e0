import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import { wecomTagSyncParams, wecomTagSyncSchema, wecomTagSyncUpdateSchema } from '../../contracts/wecom-tags.js';
import { enableWecomTagSync, getTagSync, requestTagSyncRun, setTagSync } from '../../modules/wecom/index.js';
import { OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['wecom'];
const statusPath = (connectorId: string) => `/api/v1/wecom/tag-sync/${connectorId}`;

/**
 * Tag sync between Siyu tag groups and a WeCom corp's customer tags (企业客户标签): admin and hq_ops
 * choose the groups a connector syncs and start full runs; the worker does the work.
 */
export async function wecomTagRoutes(app: FastifyInstance, deps: AppDeps) {
  // Siyu tag changes made through this server reach the sync's queue.
  enableWecomTagSync();
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ops = (request: FastifyRequest) => requirePrincipal(request, OPS_ROLES);

  r.put(
    '/api/v1/wecom/tag-sync/:connectorId',
    {
      schema: {
        tags,
        summary:
          "Choose the Siyu tag groups a WeCom connector keeps in step with the corp's customer tags (replacing the choice) and queue a full run. " +
          'Their tags are created, renamed and deleted in WeCom and back; people\'s tags follow what consultants set in WeCom and the other way round. ' +
          'A group made in WeCom is synced by choosing a Siyu group of the same name. 400, nothing changed, for an unknown group or a name over 30 characters',
        params: wecomTagSyncParams,
        body: wecomTagSyncUpdateSchema,
        response: { 200: wecomTagSyncSchema, ...errors },
        security,
      },
    },
    async (request) => setTagSync(deps, ops(request), request.params.connectorId, request.body),
  );

  r.get(
    '/api/v1/wecom/tag-sync/:connectorId',
    {
      schema: {
        tags,
        summary: "A connector's tag sync: the synced groups and the corp tags they map to, the corp's groups, customers waiting, the last full run and error",
        params: wecomTagSyncParams,
        response: { 200: wecomTagSyncSchema, ...errors },
        security,
      },
    },
    async (request) => getTagSync(deps, ops(request).tenantId, request.params.connectorId),
  );

  r.post(
    '/api/v1/wecom/tag-sync/:connectorId/run',
    {
      schema: {
        tags,
        summary:
          'Queue a full run of the tag sync (read every corp tag, push and pull every synced group and every customer with a friendship): 202 with the sync, ' +
          'Location naming it; read it until run.state is succeeded or failed. 409 while the connector syncs no group',
        params: wecomTagSyncParams,
        response: { 202: wecomTagSyncSchema, ...errors },
        responseHeaders: { 202: { Location: 'The tag sync: /api/v1/wecom/tag-sync/{connectorId}' } },
        security,
      },
    },
    async (request, reply) => {
      const sync = await requestTagSyncRun(deps, ops(request), request.params.connectorId);
      return reply.code(202).header('location', statusPath(sync.connectorId)).send(sync);
    },
  );
}
