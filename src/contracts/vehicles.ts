import { z } from 'zod';
import { isoDateTime, requiredText, uuidString } from './common.js';

export const VEHICLE_ROLES = ['buyer', 'owner', 'driver', 'payer'] as const;
export const vehicleRoleSchema = z.enum(VEHICLE_ROLES, { error: `role must be one of ${VEHICLE_ROLES.join(', ')}` });
export type VehicleRole = z.infer<typeof vehicleRoleSchema>;

const uuid = uuidString;
const text = requiredText;

/** The VIN in the path is checked (length, alphabet, check digit) by the module, which names the problem. */
const vin = z.string().max(64, 'a VIN has 17 characters').describe('17-character VIN (ISO 3779 / GB 16735), any case');
export const vehicleParams = z.object({ vin });
export const vehicleRelationParams = z.object({ vin, id: uuid });

export const vehiclePutSchema = z
  .strictObject({
    series: text(200).nullish().describe('e.g. 汉; absent keeps the stored value, null clears it'),
    model: text(200).nullish().describe('e.g. 汉 EV 冠军版; absent keeps, null clears'),
    modelYear: z
      .number({ error: 'modelYear must be a number' })
      .int('modelYear must be a whole year')
      .min(1950, 'modelYear must be 1950 or later')
      .max(2100, 'modelYear must be 2100 or earlier')
      .nullish(),
  })
  .meta({ id: 'VehiclePut' });
export type VehiclePut = z.infer<typeof vehiclePutSchema>;

export const vehicleRelationCreateSchema = z
  .strictObject({
    profileId: uuid,
    role: vehicleRoleSchema,
    validFrom: isoDateTime.optional().describe('Defaults to now'),
    validTo: isoDateTime.nullish().describe('Absent or null: current'),
    source: text(200).nullish().describe('Where the fact comes from, e.g. dms'),
  })
  .meta({ id: 'VehicleRelationCreate' });
export type VehicleRelationCreate = z.infer<typeof vehicleRelationCreateSchema>;

export const vehicleRelationEndSchema = z.strictObject({ validTo: isoDateTime.optional().describe('Defaults to now') });
export type VehicleRelationEnd = z.infer<typeof vehicleRelationEndSchema>;

const relationFields = {
  id: z.string(),
  profileId: z.string(),
  role: vehicleRoleSchema,
  validFrom: z.string(),
  validTo: z.string().nullable().describe('null: current'),
  source: z.string().nullable(),
};

export const vehicleRelationSchema = z.object(relationFields).meta({ id: 'VehicleRelation' });
export type VehicleRelation = z.infer<typeof vehicleRelationSchema>;

/** A relation on its own (answer of the relation routes): with its VIN. */
export const vehicleRelationWithVinSchema = z.object({ ...relationFields, vin: z.string() }).meta({ id: 'VehicleRelationWithVin' });
export type VehicleRelationWithVin = z.infer<typeof vehicleRelationWithVinSchema>;

export const vehicleSchema = z
  .object({
    vin: z.string(),
    series: z.string().nullable(),
    model: z.string().nullable(),
    modelYear: z.number().nullable(),
    relations: z.array(vehicleRelationSchema).describe('Current and past, oldest first'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Vehicle' });
export type Vehicle = z.infer<typeof vehicleSchema>;

/** A profile's relation to a vehicle with the vehicle's attributes (customer 360). */
export const profileVehicleSchema = z
  .object({
    ...relationFields,
    vin: z.string(),
    series: z.string().nullable(),
    model: z.string().nullable(),
    modelYear: z.number().nullable(),
  })
  .meta({ id: 'ProfileVehicle' });
export type ProfileVehicle = z.infer<typeof profileVehicleSchema>;
