import { z } from 'zod';
import { requiredText, uuidString } from './common.js';

const uuid = uuidString;
const text = requiredText;

export const MAX_HOUSEHOLD_MEMBERS = 50;

export const householdMemberInputSchema = z
  .strictObject({
    profileId: uuid,
    relation: text(100).nullish().describe('e.g. spouse, child, parent'),
  })
  .meta({ id: 'HouseholdMemberInput' });
export type HouseholdMemberInput = z.infer<typeof householdMemberInputSchema>;

export const householdCreateSchema = z
  .strictObject({
    name: text(200).nullish(),
    members: z
      .array(householdMemberInputSchema, { error: 'members must be a list' })
      .min(1, 'a household has at least one member')
      .max(MAX_HOUSEHOLD_MEMBERS, `a household has at most ${MAX_HOUSEHOLD_MEMBERS} members`),
  })
  .meta({ id: 'HouseholdCreate' });
export type HouseholdCreate = z.infer<typeof householdCreateSchema>;

export const householdParams = z.object({ id: uuid });
export const householdMemberParams = z.object({ id: uuid, profileId: uuid });
export const householdsQuerySchema = z.object({ profileId: uuid.describe('The household this profile belongs to') });

export const householdMemberSchema = z.object({ profileId: z.string(), relation: z.string().nullable(), addedAt: z.string() });

export const householdSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    members: z.array(householdMemberSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Household' });
export type Household = z.infer<typeof householdSchema>;
