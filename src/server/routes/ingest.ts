import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { documentAs, errorBodySchema } from '../../contracts/common.js';
import {
  MAX_BATCH_BYTES,
  MAX_MESSAGE_BYTES,
  MESSAGE_TYPES,
  batchSchema,
  ingestOkSchema,
  isSingleMessageRoute,
  singleMessageSchemas,
} from '../../contracts/ingest.js';
import { checkNesting, decodeBody, ingestBatch } from '../../modules/ingest/index.js';
import { authenticateIngest, requireIngestSource } from '../auth.js';
import { noteJsonBodyText } from '../input-guard.js';
import type { AppDeps } from '../deps.js';

/** Raw bodies up to this size are read; the real limits are checked after inflating. */
const RAW_BODY_LIMIT = 4 * 1024 * 1024;

const responses = { 200: ingestOkSchema, 400: errorBodySchema, 401: errorBodySchema };
const security = [{ writeKeyBasic: [] }];
const description =
  'Any Content-Type is read as JSON: Segment’s libraries send application/json, navigator.sendBeacon text/plain. ' +
  'A body with Content-Encoding gzip or deflate is inflated first (the limits apply to the inflated body); another coding is a 400 unsupported_encoding.';
/** The body as the document shows it: JSON, sent as application/json or text/plain. */
const asSent = <T extends z.ZodType>(schema: T): T => documentAs(schema, { 'application/json': schema, 'text/plain': schema });

/** The Segment HTTP Tracking API: `/v1/identify`, `/v1/track`, ..., `/v1/batch`, `/v1/import`. */
export async function ingestRoutes(app: FastifyInstance, deps: AppDeps) {
  // Our own parser for every content type: inflate, enforce Segment's limits, then JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
    try {
      const single = isSingleMessageRoute(request.routeOptions.url);
      const encoding = request.headers['content-encoding'];
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      const { text, json } = decodeBody(buf, encoding, single ? MAX_MESSAGE_BYTES : MAX_BATCH_BYTES, single ? 'message' : 'batch');
      checkNesting(json, single ? 'single' : 'batch');
      noteJsonBodyText(request, text);
      done(null, json);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)), undefined);
    }
  });
  // A key in the Authorization header is checked before the body is read; one in the body after.
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization) await authenticateIngest(deps.store.db, request);
  });
  const preValidation = async (request: FastifyRequest) => {
    if (!request.ingestSource) await authenticateIngest(deps.store.db, request);
  };

  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const type of MESSAGE_TYPES) {
    r.post(
      `/v1/${type}`,
      {
        schema: { tags: ['ingest'], summary: `Segment ${type} call`, description, body: asSent(singleMessageSchemas[type]), response: responses, security },
        config: { decodesBody: true },
        bodyLimit: RAW_BODY_LIMIT,
        preValidation,
      },
      async (request) => {
        await ingestBatch(deps, requireIngestSource(request), { batch: [request.body] }, { single: true });
        return { success: true as const };
      },
    );
  }
  for (const path of ['/v1/batch', '/v1/import']) {
    r.post(
      path,
      {
        schema: { tags: ['ingest'], summary: 'Segment batch: up to 500 KB of messages, stored all or nothing', description, body: asSent(batchSchema), response: responses, security },
        config: { decodesBody: true },
        bodyLimit: RAW_BODY_LIMIT,
        preValidation,
      },
      async (request) => {
        await ingestBatch(deps, requireIngestSource(request), request.body);
        return { success: true as const };
      },
    );
  }
}
