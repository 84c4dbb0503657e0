import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, uuidString } from '../../contracts/common.js';
import {
  calendarDate,
  cursorQuery,
  dailyCountSchema,
  memberPageQuery,
  segmentChangeSchema,
  segmentCreateSchema,
  segmentMemberSchema,
  segmentPreviewResultSchema,
  segmentPreviewSchema,
  segmentSchema,
  segmentUpdateSchema,
} from '../../contracts/segments.js';
import * as segments from '../../modules/segments/index.js';
import { HQ_ROLES, OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['segments'];
const params = z.strictObject({ id: uuidString });
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null at the end') });

/**
 * Segments: preview a definition (HQ roles; samples masked for analysts), save it (admin, hq_ops),
 * read its members and changes (every role: the people in its data scope; memberCount stays
 * tenant-wide) and daily counts (HQ roles).
 */
export async function segmentRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/segments/preview',
    {
      schema: {
        tags,
        summary: 'Count and sample (20) of the live profiles a definition matches now, evaluated in the database (HQ roles; analysts see the sample masked)',
        body: segmentPreviewSchema,
        response: { 200: segmentPreviewResultSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const principal = requirePrincipal(request, HQ_ROLES);
      return segments.previewSegment(d, principal.tenantId, request.body.definition, { maskPii: principal.maskPii });
    },
  );

  r.post(
    '/api/v1/segments',
    {
      schema: {
        tags,
        summary: 'Save a segment; a job computes its members (state computing, then ready); the same name and definition again answers the saved one (200)',
        body: segmentCreateSchema,
        response: { 200: segmentSchema, 201: segmentSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const admin = requirePrincipal(request, OPS_ROLES);
      const { segment, created } = await segments.createSegment(d, admin.tenantId, request.body, admin.actor);
      return reply.code(created ? 201 : 200).send(segment);
    },
  );

  r.get(
    '/api/v1/segments',
    { schema: { tags, summary: 'Saved segments', response: { 200: z.object({ data: z.array(segmentSchema) }), ...errors }, security } },
    async (request) => ({ data: await segments.listSegments(deps.store.db, requirePrincipal(request).tenantId) }),
  );

  r.get(
    '/api/v1/segments/:id',
    { schema: { tags, summary: 'One saved segment', params, response: { 200: segmentSchema, ...errors }, security } },
    async (request) => segments.getSegment(deps.store.db, requirePrincipal(request).tenantId, request.params.id),
  );

  r.put(
    '/api/v1/segments/:id',
    {
      schema: { tags, summary: 'Change a segment; a job re-evaluates a new definition (state computing until it has)', params, body: segmentUpdateSchema, response: { 200: segmentSchema, ...errors }, security },
    },
    async (request) => {
      const admin = requirePrincipal(request, OPS_ROLES);
      return segments.updateSegment(d, admin.tenantId, request.params.id, request.body, admin.actor);
    },
  );

  r.delete(
    '/api/v1/segments/:id',
    { schema: { tags, summary: 'Delete a segment, its members, change records and counts', params, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const admin = requirePrincipal(request, OPS_ROLES);
      await segments.deleteSegment(d, admin.tenantId, request.params.id, admin.actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/segments/:id/members',
    {
      schema: {
        tags,
        summary: 'Current members in the caller’s data scope, in profile id order',
        params,
        querystring: memberPageQuery,
        response: { 200: page(segmentMemberSchema), ...errors },
        security,
      },
    },
    async (request) => segments.segmentMembers(deps.store.db, requirePrincipal(request), request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/segments/:id/changes',
    {
      schema: {
        tags,
        summary: 'segment_entered / segment_exited records about people in the caller’s data scope, in order (what journeys consume); read on with `after`',
        params,
        querystring: cursorQuery,
        response: { 200: page(segmentChangeSchema), ...errors },
        security,
      },
    },
    async (request) => segments.segmentChanges(deps.store.db, requirePrincipal(request), request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/segments/:id/counts',
    {
      schema: {
        tags,
        summary: 'Daily member counts (the count at the last refresh of each day, in the tenant time zone; HQ roles)',
        params,
        querystring: z.strictObject({ from: calendarDate, to: calendarDate }),
        response: { 200: z.object({ data: z.array(dailyCountSchema) }), ...errors },
        security,
      },
    },
    async (request) => ({
      data: await segments.segmentDailyCounts(deps.store.db, requirePrincipal(request, HQ_ROLES).tenantId, request.params.id, request.query.from, request.query.to),
    }),
  );
}
