import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { profileParams } from '../../contracts/profiles.js';
import {
  profileStageSchema,
  stageHistoryQuerySchema,
  stageModelParams,
  stageModelPutSchema,
  stageModelSchema,
  stagePresetParams,
  stageTransitionSchema,
} from '../../contracts/stages.js';
import {
  deleteStageModel,
  getStageModel,
  installPreset,
  listStageModels,
  profileStageHistory,
  profileStages,
  putStageModel,
} from '../../modules/stages/index.js';
import { requireVisibleProfile } from '../../modules/profiles/index.js';
import { OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['stages'];

/**
 * Operating models (stage models: read by every role, changed by admin and hq_ops) and each profile's
 * stages (profiles in the caller's data scope; others answer 404 like unknown ids).
 */
export async function stageRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** The tenant of a caller who may see profile `id`. */
  const visible = async (request: FastifyRequest, id: string) => {
    const principal = requirePrincipal(request);
    await requireVisibleProfile(d.db, principal, id);
    return principal.tenantId;
  };

  r.get(
    '/api/v1/stage-models',
    {
      schema: {
        tags,
        summary: "The tenant's stage models; a tenant without any gets the 5A preset as its default first",
        response: { 200: z.object({ data: z.array(stageModelSchema) }), ...errors },
        security,
      },
    },
    async (request) => ({ data: await listStageModels(d, requirePrincipal(request).tenantId) }),
  );

  r.get(
    '/api/v1/stage-models/:key',
    { schema: { tags, summary: 'One stage model', params: stageModelParams, response: { 200: stageModelSchema, ...errors }, security } },
    async (request) => getStageModel(d.db, requirePrincipal(request).tenantId, request.params.key),
  );

  r.put(
    '/api/v1/stage-models/:key',
    {
      schema: {
        tags,
        summary: 'Create or replace a stage model (2-12 stages, lowest first); new stages are evaluated over every profile at once; a replay changes nothing',
        params: stageModelParams,
        body: stageModelPutSchema,
        response: { 200: stageModelSchema, 201: stageModelSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = requirePrincipal(request, OPS_ROLES);
      const result = await putStageModel(d, tenantId, request.params.key, request.body, actor);
      return reply.code(result.created ? 201 : 200).send(result.model);
    },
  );

  r.post(
    '/api/v1/stage-models/presets/:preset',
    {
      schema: {
        tags,
        summary: 'Install a preset (5a → five_a, aarrr, aipl) under its key; if the key exists, answers the existing model (200)',
        params: stagePresetParams,
        response: { 200: stageModelSchema, 201: stageModelSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = requirePrincipal(request, OPS_ROLES);
      const result = await installPreset(d, tenantId, request.params.preset, actor);
      return reply.code(result.installed ? 201 : 200).send(result.model);
    },
  );

  r.delete(
    '/api/v1/stage-models/:key',
    {
      schema: {
        tags,
        summary: 'Delete a stage model with its profile stages and transitions; 409 while a segment or rule tag refers to it',
        params: stageModelParams,
        response: { 204: z.null(), ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = requirePrincipal(request, OPS_ROLES);
      await deleteStageModel(d, tenantId, request.params.key, actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/profiles/:id/stages',
    {
      schema: {
        tags,
        summary: "The profile's current stage in every stage model (stage null where none holds)",
        params: profileParams,
        response: { 200: z.object({ data: z.array(profileStageSchema) }), 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request) => ({ data: await profileStages(d.db, await visible(request, request.params.id), request.params.id) }),
  );

  r.get(
    '/api/v1/profiles/:id/stages/history',
    {
      schema: {
        tags,
        summary: "The profile's stage transitions, newest first (fromStage null: entered; toStage null: left)",
        params: profileParams,
        querystring: stageHistoryQuerySchema,
        response: { 200: z.object({ data: z.array(stageTransitionSchema) }), 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request) => ({ data: await profileStageHistory(d.db, await visible(request, request.params.id), request.params.id, request.query) }),
  );
}
