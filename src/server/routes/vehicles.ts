import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  vehicleParams,
  vehiclePutSchema,
  vehicleRelationCreateSchema,
  vehicleRelationEndSchema,
  vehicleRelationParams,
  vehicleRelationWithVinSchema,
  vehicleSchema,
} from '../../contracts/vehicles.js';
import { addVehicleRelation, endVehicleRelation, getVehicle, putVehicle } from '../../modules/profiles/index.js';
import { WRITER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 308: errorBodySchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['vehicles'];

/**
 * Vehicles by VIN and people's roles on them (management API). Every role reads the vehicles of
 * people in its data scope (and vehicles nobody is related to), with only those people's relations;
 * writers (not analysts) change them for people in their scope. Others answer 404 like unknown VINs.
 */
export async function vehicleRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.put(
    '/api/v1/vehicles/:vin',
    {
      schema: {
        tags,
        summary: 'Create or update a vehicle (idempotent); the VIN is checked (length, alphabet, check digit)',
        params: vehicleParams,
        body: vehiclePutSchema.nullish().transform((b) => b ?? {}),
        response: { 200: vehicleSchema, ...errors },
        security,
      },
    },
    async (request) => putVehicle(d, requirePrincipal(request, WRITER_ROLES), request.params.vin, request.body),
  );

  r.get(
    '/api/v1/vehicles/:vin',
    { schema: { tags, summary: 'A vehicle with its relations, current and past (those of people in the caller’s scope)', params: vehicleParams, response: { 200: vehicleSchema, ...errors }, security } },
    async (request) => getVehicle(deps.store.db, requirePrincipal(request), request.params.vin),
  );

  r.post(
    '/api/v1/vehicles/:vin/relations',
    {
      schema: {
        tags,
        summary: 'Relate a person to the vehicle (idempotent); a new owner ends the previous owners’ ownership (resale)',
        params: vehicleParams,
        body: vehicleRelationCreateSchema,
        response: { 200: vehicleRelationWithVinSchema, 201: vehicleRelationWithVinSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { relation, created } = await addVehicleRelation(d, requirePrincipal(request, WRITER_ROLES), request.params.vin, request.body);
      return reply.code(created ? 201 : 200).send(relation);
    },
  );

  r.post(
    '/api/v1/vehicles/:vin/relations/:id/end',
    {
      schema: {
        tags,
        summary: 'End a relation (default now)',
        params: vehicleRelationParams,
        body: vehicleRelationEndSchema.nullish().transform((b) => b ?? {}),
        response: { 200: vehicleRelationWithVinSchema, ...errors },
        security,
      },
    },
    async (request) => endVehicleRelation(d, requirePrincipal(request, WRITER_ROLES), request.params.vin, request.params.id, request.body),
  );
}
