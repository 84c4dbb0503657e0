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
import { adminSecurity as security, requireAdmin } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['segments'];
const params = z.strictObject({ id: uuidString });
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null at the end') });

/** Segments: preview a definition, save it, read its members, changes and daily counts. */
export async function segmentRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/segments/preview',
    {
      schema: {
        tags,
        summary: 'Count and sample (20) of the live profiles a definition matches now, evaluated in the database',
        body: segmentPreviewSchema,
        response: { 200: segmentPreviewResultSchema, ...errors },
        security,
      },
    },
    async (request) => segments.previewSegment(d, requireAdmin(request).tenantId, request.body.definition),
  );

  r.post(
    '/api/v1/segments',
    {
      schema: {
        tags,
        summary: 'Save a segment and compute its members; the same name and definition again answers the saved one (200)',
        body: segmentCreateSchema,
        response: { 200: segmentSchema, 201: segmentSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      const { segment, created } = await segments.createSegment(d, admin.tenantId, request.body, admin.actor);
      return reply.code(created ? 201 : 200).send(segment);
    },
  );

  r.get(
    '/api/v1/segments',
    { schema: { tags, summary: 'Saved segments', response: { 200: z.object({ data: z.array(segmentSchema) }), ...errors }, security } },
    async (request) => ({ data: await segments.listSegments(deps.store.db, requireAdmin(request).tenantId) }),
  );

  r.get(
    '/api/v1/segments/:id',
    { schema: { tags, summary: 'One saved segment', params, response: { 200: segmentSchema, ...errors }, security } },
    async (request) => segments.getSegment(deps.store.db, requireAdmin(request).tenantId, request.params.id),
  );

  r.put(
    '/api/v1/segments/:id',
    {
      schema: { tags, summary: 'Change a segment; a new definition is re-evaluated at once', params, body: segmentUpdateSchema, response: { 200: segmentSchema, ...errors }, security },
    },
    async (request) => {
      const admin = requireAdmin(request);
      return segments.updateSegment(d, admin.tenantId, request.params.id, request.body, admin.actor);
    },
  );

  r.delete(
    '/api/v1/segments/:id',
    { schema: { tags, summary: 'Delete a segment, its members, change records and counts', params, response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      await segments.deleteSegment(d, admin.tenantId, request.params.id, admin.actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/segments/:id/members',
    { schema: { tags, summary: 'Current members, in profile id order', params, querystring: memberPageQuery, response: { 200: page(segmentMemberSchema), ...errors }, security } },
    async (request) => segments.segmentMembers(deps.store.db, requireAdmin(request).tenantId, request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/segments/:id/changes',
    {
      schema: {
        tags,
        summary: 'segment_entered / segment_exited records in order (what journeys consume); read on with `after`',
        params,
        querystring: cursorQuery,
        response: { 200: page(segmentChangeSchema), ...errors },
        security,
      },
    },
    async (request) => segments.segmentChanges(deps.store.db, requireAdmin(request).tenantId, request.params.id, request.query.after, request.query.limit),
  );

  r.get(
    '/api/v1/segments/:id/counts',
    {
      schema: {
        tags,
        summary: 'Daily member counts (the count at the last refresh of each day, in the tenant time zone)',
        params,
        querystring: z.strictObject({ from: calendarDate, to: calendarDate }),
        response: { 200: z.object({ data: z.array(dailyCountSchema) }), ...errors },
        security,
      },
    },
    async (request) => ({
      data: await segments.segmentDailyCounts(deps.store.db, requireAdmin(request).tenantId, request.params.id, request.query.from, request.query.to),
    }),
  );
}
