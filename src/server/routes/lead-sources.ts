import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  autohomeConfigPutSchema,
  autohomeConnectorSchema,
  autohomeFeedResultSchema,
  autohomeFeedSchema,
  csvMappingSchema,
  leadImportBodySchema,
  leadImportQuerySchema,
  leadImportResultSchema,
  oceanEngineConfigPutSchema,
  oceanEngineConnectorSchema,
  pollRequestedSchema,
  type CsvMapping,
} from '../../contracts/lead-sources.js';
import {
  decodeCsv,
  deleteOceanEngineConnector,
  getAutohomeConfig,
  getOceanEngineConnector,
  importLeadCsv,
  intakeAutohomeFeed,
  putAutohomeConfig,
  putOceanEngineConnector,
  requestOceanEnginePoll,
} from '../../connectors/lead-sources/index.js';
import { ADMIN_ROLES, OPS_ROLES, WRITER_ROLES } from '../../modules/tenancy/index.js';
import { AppError } from '../../platform/errors.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { validationError } from '../validation.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 503: errorBodySchema };
const tags = ['lead sources'];
/** A DMS export of 100 000 rows is some 20 MB. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

function mappingFromQuery(value: string | undefined): CsvMapping {
  if (value === undefined) throw new AppError('invalid_request', 'send the column mapping as the mapping query parameter (JSON), or send JSON { "mapping": ..., "csv": ... }');
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new AppError('invalid_request', 'the mapping query parameter is not valid JSON');
  }
  const parsed = csvMappingSchema.safeParse(json);
  if (!parsed.success) throw validationError(parsed.error.issues, 'mapping');
  return parsed.data;
}

/**
 * Lead source adapters on the management API: the Ocean Engine poller's configuration, the
 * Autohome-style feed and its id maps, the CSV import.
 */
export async function leadSourceRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // CSV bodies are decoded here (UTF-8, or GB18030 as Excel writes on Chinese Windows): the route sees text.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const charset = /charset=([\w-]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
      done(null, decodeCsv(Buffer.isBuffer(body) ? body : Buffer.from(body), charset));
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)), undefined);
    }
  });

  r.get(
    '/api/v1/lead-connectors/ocean-engine',
    { schema: { tags, summary: 'The Ocean Engine (巨量引擎) clue poller: configuration (never the token), cursor, last run and last error', response: { 200: oceanEngineConnectorSchema, ...errors }, security } },
    async (request) => getOceanEngineConnector(deps, requirePrincipal(request, OPS_ROLES).tenantId),
  );

  r.put(
    '/api/v1/lead-connectors/ocean-engine',
    {
      schema: {
        tags,
        summary: 'Configure the Ocean Engine clue poller (the token is stored encrypted: refused with 503 when the server has no SIYU_SECRET_KEY); it polls now and then every pollIntervalSeconds',
        body: oceanEngineConfigPutSchema,
        response: { 200: oceanEngineConnectorSchema, ...errors },
        security,
      },
    },
    async (request) => putOceanEngineConnector(deps, requirePrincipal(request, ADMIN_ROLES), request.body),
  );

  r.delete(
    '/api/v1/lead-connectors/ocean-engine',
    { schema: { tags, summary: 'Stop polling and forget the configuration and token (stored leads stay)', response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      await deleteOceanEngineConnector(deps, requirePrincipal(request, OPS_ROLES));
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/lead-connectors/ocean-engine/poll',
    { schema: { tags, summary: 'Poll now (the worker runs it on its next tick)', response: { 202: pollRequestedSchema, ...errors }, security } },
    async (request, reply) => reply.code(202).send(await requestOceanEnginePoll(deps, requirePrincipal(request, OPS_ROLES).tenantId)),
  );

  r.get(
    '/api/v1/lead-connectors/autohome',
    { schema: { tags, summary: 'The Autohome feed id maps (dealer_id → dealer code, series_id → series, spec_id → model)', response: { 200: autohomeConnectorSchema, ...errors }, security } },
    async (request) => ({ kind: 'autohome' as const, ...(await getAutohomeConfig(deps, requirePrincipal(request, OPS_ROLES).tenantId)) }),
  );

  r.put(
    '/api/v1/lead-connectors/autohome',
    { schema: { tags, summary: 'Replace the Autohome feed id maps', body: autohomeConfigPutSchema, response: { 200: autohomeConnectorSchema, ...errors }, security } },
    async (request) => ({ kind: 'autohome' as const, ...(await putAutohomeConfig(deps, requirePrincipal(request, OPS_ROLES), request.body)) }),
  );

  r.post(
    '/api/v1/lead-feeds/autohome',
    {
      schema: {
        tags,
        summary:
          'Take in Autohome-style clues (phone as mobile_md5, dealer_id, series_id): up to 500, all or nothing; re-sending a clue_id is safe. ' +
          'Ids missing from the id maps are listed in unmapped',
        body: autohomeFeedSchema,
        response: { 200: autohomeFeedResultSchema, ...errors },
        security,
      },
    },
    async (request) => intakeAutohomeFeed(deps, requirePrincipal(request, OPS_ROLES).tenantId, request.body.clues),
  );

  r.post(
    '/api/v1/leads/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Import leads from a CSV (a DMS export) through a column mapping: every row is checked first (one bad row: 400 naming rows and fields, nothing stored), ' +
          'then the leads are taken in 500 at a time. Re-importing the same file changes nothing',
        body: leadImportBodySchema,
        querystring: leadImportQuerySchema,
        response: { 200: leadImportResultSchema, ...errors },
        security,
      },
    },
    async (request) => {
      const principal = requirePrincipal(request, WRITER_ROLES);
      const body = request.body;
      if (body.kind === 'json') return importLeadCsv(deps, principal, body.csv, body.mapping);
      return importLeadCsv(deps, principal, body.text, mappingFromQuery(request.query.mapping));
    },
  );
}
