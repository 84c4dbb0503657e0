import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { authenticateManagement } from './auth.js';
import { ConsoleFiles, DEFAULT_CONSOLE_DIR, consoleAssetRoutes } from './console.js';
import type { AppDeps } from './deps.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors.js';
import { refuseUndocumentedBody } from './body-media.js';
import { noteJsonBodyText, refuseUnstorableInput } from './input-guard.js';
import { MethodIndex } from './method-index.js';
import { TAGS, documentRouteErrors, transform, transformObject } from './openapi.js';
import { adminRoutes } from './routes/admin.js';
import { consentRoutes } from './routes/consents.js';
import { healthRoutes } from './routes/health.js';
import { householdRoutes } from './routes/households.js';
import { identityRoutes } from './routes/identity.js';
import { ingestRoutes } from './routes/ingest.js';
import { profileRoutes } from './routes/profiles.js';
import { vehicleRoutes } from './routes/vehicles.js';
import { analyticsRoutes } from './routes/analytics.js';
import { segmentRoutes } from './routes/segments.js';
import { stageRoutes } from './routes/stages.js';
import { tagRoutes } from './routes/tags.js';
import { orgRoutes } from './routes/org.js';
import { sessionRoutes } from './routes/session.js';
import { leadRoutes } from './routes/leads.js';
import { funnelRoutes } from './routes/funnel.js';
import { salesRoutes } from './routes/sales.js';
import { leadSourceRoutes } from './routes/lead-sources.js';
import { leadFormRoutes } from './routes/lead-forms.js';
import { kpiRoutes } from './routes/kpis.js';
import { exportRoutes } from './routes/exports.js';
import { wecomCallbackRoutes, wecomRoutes } from './routes/wecom.js';
import { wecomSidebarRoutes } from './routes/wecom-sidebar.js';
import { wecomSignInRoutes } from './routes/wecom-sign-in.js';
import { wecomMassRoutes } from './routes/wecom-mass.js';
import { wecomCodeRoutes } from './routes/wecom-codes.js';
import { wecomTransferRoutes } from './routes/wecom-transfers.js';
import { wecomTagRoutes } from './routes/wecom-tags.js';
import { zodValidatorCompiler } from './validation.js';
import { AppError } from '../platform/errors.js';
import { depthExceeds } from '../platform/json.js';

const MAX_JSON_DEPTH = 64;
/** How long a client may take to send a whole request (slow senders hold a socket each); Node's default. */
const REQUEST_TIMEOUT_MS = 300_000;

export interface BuildAppOptions {
  logger?: FastifyBaseLogger;
  /** How long a client may take to send a whole request; 408 after (tests shorten it). */
  requestTimeoutMs?: number;
  /** Trust X-Forwarded-* from a reverse proxy (HTTPS there makes the console's cookies Secure). */
  trustProxy?: boolean;
  /** The web console's build (index.html, assets/); default console/dist of the package. */
  consoleDir?: string;
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A caller's X-Request-Id is kept when it looks like an id (it ends up in every log line).
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    // Shutting down answers 503 in Siyu's shape (below), not in Fastify's.
    return503OnClosing: false,
    // Every answer is Siyu's error shape, also for a malformed path, a too-long parameter, a request
    // that does not arrive in time or bytes that are not HTTP.
    frameworkErrors: errorHandler,
    clientErrorHandler,
    requestTimeout,
    trustProxy: options.trustProxy ?? false,
    // Node checks for late requests every connectionsCheckingInterval; headers may not take longer than the whole request.
    http: { headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeout / 4))) },
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  const methods = new MethodIndex();
  app.addHook('onRoute', (route) => {
    methods.add(route);
    documentRouteErrors(route);
  });
  const consoleFiles = new ConsoleFiles(options.consoleDir ?? DEFAULT_CONSOLE_DIR);
  app.setNotFoundHandler(notFoundHandler(methods, consoleFiles));
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    void reply.header('connection', 'close');
    throw new AppError('unavailable', 'the server is shutting down; send the request again in a moment (another instance, or this one once it is back)');
  });
  // After authentication (onRequest hooks), a body of a type or coding the route does not document
  // is refused before it is parsed; text PostgreSQL cannot store, before any route reads it.
  app.addHook('preParsing', refuseUndocumentedBody);
  app.addHook('preValidation', refuseUnstorableInput);
  // A POST with a JSON content type but no body (curl -X POST -H 'Content-Type: application/json')
  // means "no options", not malformed JSON.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, null);
    noteJsonBodyText(request, text);
    jsonParser(request, text, done);
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Parses the Cookie header of every request (the console's session) and sends Set-Cookie.
  await app.register(fastifyCookie);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Siyu API',
        description:
          'Siyu (私域): private-domain operations for car brands. `/v1/*` is the Segment-compatible tracking API ' +
          '(HTTP Basic, write key as user name); `/api/v1/*` is the management API (Bearer admin token).',
        version: '0.1.0',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          writeKeyBasic: { type: 'http', scheme: 'basic', description: 'Write key as the user name, empty password' },
          adminBearer: { type: 'http', scheme: 'bearer', description: 'Admin token (at_…) or staff session token (st_… from POST /api/v1/auth/login)' },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'The web console’s session cookie (POST /api/v1/auth/session); requests other than GET, HEAD and OPTIONS also send its CSRF token as X-CSRF-Token',
          },
        },
      },
    },
    transform,
    transformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The web console: /assets/* here, its pages in the not-found handler (index.html).
  await consoleAssetRoutes(app, consoleFiles);

  await app.register(healthRoutes, deps);
  await app.register(ingestRoutes, deps);
  await app.register(leadFormRoutes, deps);
  // WeCom signs its callbacks itself: no token, outside the management scope.
  await app.register(wecomCallbackRoutes, deps);
  // The management API: one scope, one admin-token check for every route in it.
  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      // Login, the console's sign-in and sign-out and the WeCom sign-in are the management routes without a token.
      if (request.routeOptions.config.public === true) return;
      await authenticateManagement(deps.store.db, request, deps.clock.now());
    });
    // Before validation: nothing recursive (zod, the segment compiler) may see a pathological tree.
    api.addHook('preValidation', async (request) => {
      if (depthExceeds(request.body, MAX_JSON_DEPTH)) {
        throw new AppError('invalid_request', `the request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH });
      }
    });
    const routeSets = [
      adminRoutes, orgRoutes, sessionRoutes, wecomSignInRoutes, profileRoutes, vehicleRoutes, householdRoutes, consentRoutes, identityRoutes, tagRoutes, segmentRoutes, stageRoutes,
      analyticsRoutes, leadRoutes, funnelRoutes, salesRoutes, leadSourceRoutes, kpiRoutes, exportRoutes, wecomRoutes, wecomSidebarRoutes, wecomCodeRoutes, wecomTransferRoutes, wecomMassRoutes, wecomTagRoutes,
    ];
    for (const routes of routeSets) await api.register(routes, deps);
  });
  return app;
}
