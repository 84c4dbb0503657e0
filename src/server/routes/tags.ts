import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { profileParams } from '../../contracts/profiles.js';
import { cursorQuery } from '../../contracts/segments.js';
import {
  operationParams,
  profileTagSchema,
  tagAppliedSchema,
  tagApplySchema,
  tagCreateSchema,
  tagDetailSchema,
  tagGroupCreateSchema,
  tagGroupSchema,
  tagHistoryPageSchema,
  tagListQuery,
  tagOperationSchema,
  tagRemovedSchema,
  tagSchema,
  tagUpdateSchema,
  type TagApply,
} from '../../contracts/tags.js';
import {
  applyManualTag,
  createTag,
  createTagGroup,
  deleteTag,
  deleteTagGroup,
  getTag,
  getTagOperation,
  listTagGroups,
  listTags,
  profileTagHistory,
  queueTagOperation,
  removeManualTag,
  tagHistory,
  tagsOfProfile,
  updateTag,
  type TagAction,
} from '../../modules/tags/index.js';
import { requireVisibleProfile } from '../../modules/profiles/index.js';
import { OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['tags'];
const idParams = profileParams;
/** Definitions (groups, tags) and who is given a manual tag are changed by operations roles only. */
const ops = (request: FastifyRequest) => requirePrincipal(request, OPS_ROLES);
const operationPath = (id: string) => `/api/v1/operations/${id}`;
const operationHeaders = { 202: { Location: 'The operation: /api/v1/operations/{id}' } };
const BULK_DESCRIPTION =
  'With `profileIds` (at most 1000) the change is made in the request and answers 200 with the counts; replays change nothing. ' +
  'With `segmentId` or `definition` the tag, the segment and the definition are checked at once (404, 409, 400 as for listed profiles, nothing written then) ' +
  'and the answer is 202 with the operation (state `queued`) and a `Location` header naming it: a job evaluates the target when it runs, ' +
  'changes everyone it matches then, and records the counts. Read it at GET /api/v1/operations/{id} until `state` is `succeeded` or `failed`. ' +
  'Sending the same request again queues another operation, which finds the change made and counts everyone unchanged.';

/**
 * Tag groups, manual and rule tags, who holds them and their history (management API). Every role
 * reads the definitions; admin and hq_ops change them, apply or remove tags and read the bulk
 * operations they queue. Histories list the rows about people in the caller's data scope; a tag's
 * memberCount is tenant-wide.
 */
export async function tagRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** The tenant of a caller who may see profile `id` (404 like an unknown id otherwise). */
  const visible = async (request: FastifyRequest, id: string) => {
    const principal = requirePrincipal(request);
    await requireVisibleProfile(d.db, principal, id);
    return principal.tenantId;
  };

  r.post(
    '/api/v1/tag-groups',
    {
      schema: {
        tags,
        summary: 'Create a tag group; an existing name answers the existing group (200)',
        body: tagGroupCreateSchema,
        response: { 200: tagGroupSchema, 201: tagGroupSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = ops(request);
      const result = await createTagGroup(d, tenantId, request.body, actor);
      return reply.code(result.created ? 201 : 200).send(result.group);
    },
  );

  r.get(
    '/api/v1/tag-groups',
    { schema: { tags, summary: 'Tag groups with their tags', response: { 200: z.object({ data: z.array(tagGroupSchema) }), ...errors }, security } },
    async (request) => ({ data: await listTagGroups(deps.store.db, requirePrincipal(request).tenantId) }),
  );

  r.delete(
    '/api/v1/tag-groups/:id',
    { schema: { tags, summary: 'Delete an empty tag group (409 while it holds tags)', params: idParams, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const { tenantId, actor } = ops(request);
      await deleteTagGroup(d, tenantId, request.params.id, actor);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/tags',
    {
      schema: {
        tags,
        summary: 'Create a manual or rule tag; a rule tag is evaluated over every profile at once. The same group, name, kind and definition answer the existing tag (200)',
        body: tagCreateSchema,
        response: { 200: tagSchema, 201: tagSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = ops(request);
      const result = await createTag(d, tenantId, request.body, actor);
      return reply.code(result.created ? 201 : 200).send(result.tag);
    },
  );

  r.get(
    '/api/v1/tags',
    { schema: { tags, summary: 'Tags, optionally of one group', querystring: tagListQuery, response: { 200: z.object({ data: z.array(tagSchema) }), ...errors }, security } },
    async (request) => ({ data: await listTags(deps.store.db, requirePrincipal(request).tenantId, request.query.groupId) }),
  );

  r.get(
    '/api/v1/tags/:id',
    { schema: { tags, summary: 'A tag with its member count (tenant-wide)', params: idParams, response: { 200: tagDetailSchema, ...errors }, security } },
    async (request) => getTag(deps.store.db, requirePrincipal(request).tenantId, request.params.id),
  );

  r.put(
    '/api/v1/tags/:id',
    {
      schema: {
        tags,
        summary: "Change a tag's name, description or (rule tags) definition; a new definition applies to every profile at once",
        params: idParams,
        body: tagUpdateSchema,
        response: { 200: tagDetailSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const { tenantId, actor } = ops(request);
      return updateTag(d, tenantId, request.params.id, request.body, actor);
    },
  );

  r.delete(
    '/api/v1/tags/:id',
    {
      schema: {
        tags,
        summary: 'Delete a tag with its memberships and history (409 while a segment, stage model or rule tag refers to it)',
        params: idParams,
        response: { 204: z.null(), ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = ops(request);
      await deleteTag(d, tenantId, request.params.id, actor);
      return reply.code(204).send(null);
    },
  );

  /** Listed profiles change in the request (200); a segment or definition is an operation a job carries out (202, Location). */
  const change = async (request: FastifyRequest, reply: FastifyReply, tagId: string, body: TagApply, action: TagAction) => {
    const { tenantId, actor } = ops(request);
    const { profileIds, ...bulk } = body;
    if (profileIds) {
      const listed = { profileIds, reason: bulk.reason };
      if (action === 'apply') return reply.code(200).send(await applyManualTag(d, tenantId, tagId, listed, actor));
      return reply.code(200).send(await removeManualTag(d, tenantId, tagId, listed, actor));
    }
    const operation = await queueTagOperation(d, tenantId, tagId, action, bulk, actor);
    return reply.code(202).header('location', operationPath(operation.id)).send(operation);
  };

  r.post(
    '/api/v1/tags/:id/apply',
    {
      schema: {
        tags,
        summary: 'Give a manual tag to listed profiles (200), or queue giving it to everyone a segment or definition matches (202, Location: the operation)',
        description: BULK_DESCRIPTION,
        params: idParams,
        body: tagApplySchema,
        response: { 200: tagAppliedSchema, 202: tagOperationSchema, ...errors },
        responseHeaders: operationHeaders,
        security,
      },
    },
    (request, reply) => change(request, reply, request.params.id, request.body, 'apply'),
  );

  r.post(
    '/api/v1/tags/:id/remove',
    {
      schema: {
        tags,
        summary: 'Take a manual tag from listed profiles (200), or queue taking it from everyone a segment or definition matches (202, Location: the operation)',
        description: BULK_DESCRIPTION,
        params: idParams,
        body: tagApplySchema,
        response: { 200: tagRemovedSchema, 202: tagOperationSchema, ...errors },
        responseHeaders: operationHeaders,
        security,
      },
    },
    (request, reply) => change(request, reply, request.params.id, request.body, 'remove'),
  );

  r.get(
    '/api/v1/operations/:id',
    {
      schema: {
        tags,
        summary: 'A bulk tag operation: its state, its counts once succeeded, its error once failed',
        params: operationParams,
        response: { 200: tagOperationSchema, ...errors },
        security,
      },
    },
    async (request) => getTagOperation(deps.store.db, ops(request).tenantId, request.params.id),
  );

  r.get(
    '/api/v1/tags/:id/history',
    {
      schema: {
        tags,
        summary: "A tag's history about people in the caller's data scope, oldest first (cursor: ?after=<id>)",
        params: idParams,
        querystring: cursorQuery,
        response: { 200: tagHistoryPageSchema, ...errors },
        security,
      },
    },
    async (request) => tagHistory(deps.store.db, requirePrincipal(request), request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/profiles/:id/tags',
    { schema: { tags, summary: "A profile's current tags", params: profileParams, response: { 200: z.object({ data: z.array(profileTagSchema) }), 308: errorBodySchema, ...errors }, security } },
    async (request) => ({ data: await tagsOfProfile(deps.store.db, await visible(request, request.params.id), request.params.id) }),
  );

  r.get(
    '/api/v1/profiles/:id/tags/history',
    {
      schema: {
        tags,
        summary: "A profile's tag history, oldest first (cursor: ?after=<id>)",
        params: profileParams,
        querystring: cursorQuery,
        response: { 200: tagHistoryPageSchema, 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request) => profileTagHistory(deps.store.db, await visible(request, request.params.id), request.params.id, request.query.after, request.query.limit),
  );
}
