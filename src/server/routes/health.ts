import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  store: z.enum(['pglite', 'postgres']),
  message: z.string().optional(),
});

export async function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/healthz',
    { schema: { tags: ['service'], summary: 'Liveness and store check', response: { 200: healthSchema, 503: healthSchema }, security: [] } },
    async (request, reply) => {
      try {
        await deps.store.ping();
        return { status: 'ok' as const, store: deps.store.engine };
      } catch (err) {
        request.log.error({ err }, 'health check failed');
        return reply.code(503).send({ status: 'unavailable' as const, store: deps.store.engine, message: 'the store does not answer' });
      }
    },
  );
}
