import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import { AppError } from '../../platform/errors.js';
import type { AppDeps } from '../deps.js';

const healthSchema = z.object({
  status: z.literal('ok'),
  store: z.enum(['pglite', 'postgres']),
});

export async function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/healthz',
    {
      schema: {
        tags: ['service'],
        summary: 'Liveness and store check: 200 when the store answers; 503 (error code unavailable) when it does not or the server is shutting down',
        response: { 200: healthSchema, 503: errorBodySchema },
        security: [],
      },
    },
    async (request) => {
      try {
        await deps.store.ping();
      } catch (err) {
        request.log.error({ err }, 'health check failed');
        throw new AppError('unavailable', 'the store does not answer', { store: deps.store.engine });
      }
      return { status: 'ok' as const, store: deps.store.engine };
    },
  );
}
