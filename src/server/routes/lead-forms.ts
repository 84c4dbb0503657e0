import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import { MAX_MESSAGE_BYTES } from '../../contracts/ingest.js';
import { leadFormResultSchema, leadFormSchema } from '../../contracts/lead-sources.js';
import { submitLeadForm } from '../../connectors/lead-sources/index.js';
import { AppError } from '../../platform/errors.js';
import { authenticateIngest, requireIngestSource } from '../auth.js';
import type { AppDeps } from '../deps.js';

/**
 * `POST /v1/leads`: a website or mini-program lead form (留资表单), authenticated like the tracking
 * API with the source's write key (HTTP Basic user name). Registered outside the management scope.
 */
export async function leadFormRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // The key is checked before the body is read or validated: a wrong key is 401 whatever the body.
  const onRequest = async (request: FastifyRequest) => {
    if (!request.headers.authorization) throw new AppError('unauthorized', "send the source's write key as the HTTP Basic user name (empty password)");
    await authenticateIngest(deps.store.db, request);
  };

  r.post(
    '/v1/leads',
    {
      onRequest,
      bodyLimit: MAX_MESSAGE_BYTES,
      schema: {
        tags: ['lead sources'],
        summary:
          'A lead form submission from a website / mini-program source (write key as HTTP Basic user name). The lead source is the source kind; ' +
          'sending the same submissionId again is safe (200 with the stored lead; 201 when new). The answer carries no personal data',
        body: leadFormSchema,
        response: { 200: leadFormResultSchema, 201: leadFormResultSchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema },
        security: [{ writeKeyBasic: [] }],
      },
    },
    async (request, reply) => {
      const { created, ...lead } = await submitLeadForm(deps, requireIngestSource(request), request.body);
      return reply.code(created ? 201 : 200).send(lead);
    },
  );
}
