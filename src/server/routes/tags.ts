import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { profileParams } from '../../contracts/profiles.js';
import { cursorQuery } from '../../contracts/segments.js';
import {
  profileTagSchema,
  tagAppliedSchema,
  tagApplySchema,
  tagCreateSchema,
  tagDetailSchema,
  tagGroupCreateSchema,
  tagGroupSchema,
  tagHistoryPageSchema,
  tagListQuery,
  tagRemovedSchema,
  tagSchema,
  tagUpdateSchema,
} from '../../contracts/tags.js';
import {
  applyManualTag,
  createTag,
  createTagGroup,
  deleteTag,
  deleteTagGroup,
  getTag,
  listTagGroups,
  listTags,
  profileTagHistory,
  removeManualTag,
  tagHistory,
  tagsOfProfile,
  updateTag,
} from '../../modules/tags/index.js';
import { adminSecurity as security, requireAdmin } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['tags'];
const idParams = profileParams;


/** Tag groups, manual and rule tags, who holds them and their history (management API). */
export async function tagRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

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
      const { tenantId, actor } = requireAdmin(request);
      const result = await createTagGroup(d, tenantId, request.body, actor);
      return reply.code(result.created ? 201 : 200).send(result.group);
    },
  );

  r.get(
    '/api/v1/tag-groups',
    { schema: { tags, summary: 'Tag groups with their tags', response: { 200: z.object({ data: z.array(tagGroupSchema) }), ...errors }, security } },
    async (request) => ({ data: await listTagGroups(deps.store.db, requireAdmin(request).tenantId) }),
  );

  r.delete(
    '/api/v1/tag-groups/:id',
    { schema: { tags, summary: 'Delete an empty tag group (409 while it holds tags)', params: idParams, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const { tenantId, actor } = requireAdmin(request);
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
      const { tenantId, actor } = requireAdmin(request);
      const result = await createTag(d, tenantId, request.body, actor);
      return reply.code(result.created ? 201 : 200).send(result.tag);
    },
  );

  r.get(
    '/api/v1/tags',
    { schema: { tags, summary: 'Tags, optionally of one group', querystring: tagListQuery, response: { 200: z.object({ data: z.array(tagSchema) }), ...errors }, security } },
    async (request) => ({ data: await listTags(deps.store.db, requireAdmin(request).tenantId, request.query.groupId) }),
  );

  r.get(
    '/api/v1/tags/:id',
    { schema: { tags, summary: 'A tag with its member count', params: idParams, response: { 200: tagDetailSchema, ...errors }, security } },
    async (request) => getTag(deps.store.db, requireAdmin(request).tenantId, request.params.id),
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
      const { tenantId, actor } = requireAdmin(request);
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
      const { tenantId, actor } = requireAdmin(request);
      await deleteTag(d, tenantId, request.params.id, actor);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/tags/:id/apply',
    {
      schema: {
        tags,
        summary: 'Give a manual tag to listed profiles or to everyone a segment or definition matches now; replays change nothing',
        params: idParams,
        body: tagApplySchema,
        response: { 200: tagAppliedSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const { tenantId, actor } = requireAdmin(request);
      return applyManualTag(d, tenantId, request.params.id, request.body, actor);
    },
  );

  r.post(
    '/api/v1/tags/:id/remove',
    {
      schema: {
        tags,
        summary: 'Take a manual tag from listed profiles or from everyone a segment or definition matches now; replays change nothing',
        params: idParams,
        body: tagApplySchema,
        response: { 200: tagRemovedSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const { tenantId, actor } = requireAdmin(request);
      return removeManualTag(d, tenantId, request.params.id, request.body, actor);
    },
  );

  r.get(
    '/api/v1/tags/:id/history',
    { schema: { tags, summary: "A tag's history, oldest first (cursor: ?after=<id>)", params: idParams, querystring: cursorQuery, response: { 200: tagHistoryPageSchema, ...errors }, security } },
    async (request) => tagHistory(deps.store.db, requireAdmin(request).tenantId, request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/profiles/:id/tags',
    { schema: { tags, summary: "A profile's current tags", params: profileParams, response: { 200: z.object({ data: z.array(profileTagSchema) }), 308: errorBodySchema, ...errors }, security } },
    async (request) => ({ data: await tagsOfProfile(deps.store.db, requireAdmin(request).tenantId, request.params.id) }),
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
    async (request) => profileTagHistory(deps.store.db, requireAdmin(request).tenantId, request.params.id, request.query.after, request.query.limit),
  );
}
