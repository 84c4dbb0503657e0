import { z } from 'zod';
import { isoDateTime, requiredText, storableText, uuidString } from './common.js';

/** Org units, staff, login and the audit log (issue 5). */

export const ORG_UNIT_TYPES = ['hq', 'region', 'dealer_group', 'dealer', 'team'] as const;
export const STAFF_ROLES = ['admin', 'hq_ops', 'analyst', 'dealer_manager', 'consultant', 'service_advisor'] as const;

export const orgUnitTypeSchema = z.enum(ORG_UNIT_TYPES, { error: `type must be one of ${ORG_UNIT_TYPES.join(', ')}` });
export const staffRoleSchema = z.enum(STAFF_ROLES, { error: `role must be one of ${STAFF_ROLES.join(', ')}` });

/** Codes are what people and other systems use to name a unit (dealer codes such as SH001). */
export const orgUnitCode = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');

const optionalText = (max: number) => requiredText(max).nullish();
const seriesList = z.array(requiredText(100)).max(200, 'at most 200 series').nullish();

const unitFields = {
  name: requiredText(200),
  city: optionalText(100),
  province: optionalText(100),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
  capacity: z.number().int('must be a whole number').min(0).max(1_000_000).nullish().describe('Dealers: new leads per day the store can work (routing weight)'),
  series: seriesList.describe('Dealers: the series the store sells (absent = all)'),
};

export const orgUnitCreateSchema = z
  .strictObject({
    code: orgUnitCode,
    type: orgUnitTypeSchema,
    parentCode: orgUnitCode.nullish().describe('Required for every type but hq'),
    ...unitFields,
  })
  .meta({ id: 'OrgUnitCreate' });
export type OrgUnitCreate = z.infer<typeof orgUnitCreateSchema>;

export const orgUnitUpdateSchema = z
  .strictObject({
    parentCode: orgUnitCode.optional().describe('Moves the unit (and everything under it)'),
    name: requiredText(200).optional(),
    city: optionalText(100),
    province: optionalText(100),
    latitude: z.number().min(-90).max(90).nullish(),
    longitude: z.number().min(-180).max(180).nullish(),
    capacity: z.number().int().min(0).max(1_000_000).nullish(),
    series: seriesList,
    active: z.boolean().optional(),
  })
  .meta({ id: 'OrgUnitUpdate' });
export type OrgUnitUpdate = z.infer<typeof orgUnitUpdateSchema>;

export const orgUnitSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    type: orgUnitTypeSchema,
    parentCode: z.string().nullable(),
    path: z.array(z.string()).describe('Codes from the root down to this unit'),
    city: z.string().nullable(),
    province: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    capacity: z.number().nullable(),
    series: z.array(z.string()).nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OrgUnit' });
export type OrgUnitView = z.infer<typeof orgUnitSchema>;

export const orgUnitParams = z.object({ code: orgUnitCode });

/** At least 10 characters with a letter and a digit; at most 200 (scrypt hashes anything, but be sane). */
export const passwordSchema = z
  .string({ error: 'password is required' })
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters')
  .refine((p) => /\p{L}/u.test(p) && /\d/.test(p), 'must contain at least one letter and one digit')
  .pipe(storableText);

export const usernameSchema = z
  .string({ error: 'username is required' })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$/, 'must be 3-64 letters, digits, "_", ".", "@" or "-", starting with a letter or digit')
  .transform((s) => s.toLowerCase());

const wecomUserId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be a WeCom userid (1-64 letters, digits, "_", ".", "@", "-")');

export const staffCreateSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    name: requiredText(200),
    role: staffRoleSchema,
    orgUnitCode,
    wecomUserId: wecomUserId.nullish(),
    phone: optionalText(32),
    maxOpenLeads: z.number().int().min(0).max(100_000).nullish().describe('Consultants: open leads they may hold at once (routing load cap)'),
  })
  .meta({ id: 'StaffCreate' });
export type StaffCreate = z.infer<typeof staffCreateSchema>;

export const staffUpdateSchema = z
  .strictObject({
    name: requiredText(200).optional(),
    role: staffRoleSchema.optional(),
    orgUnitCode: orgUnitCode.optional(),
    wecomUserId: wecomUserId.nullish(),
    phone: optionalText(32),
    maxOpenLeads: z.number().int().min(0).max(100_000).nullish(),
    active: z.boolean().optional().describe('false ends every session of the person at once'),
  })
  .meta({ id: 'StaffUpdate' });
export type StaffUpdate = z.infer<typeof staffUpdateSchema>;

export const staffSchema = z
  .object({
    id: z.string(),
    username: z.string().describe('Masked for analysts in the staff directory, like an identifier value'),
    name: z.string().describe('Masked for analysts in the staff directory'),
    role: staffRoleSchema,
    orgUnitCode: z.string(),
    orgUnitId: z.string(),
    wecomUserId: z.string().nullable().describe('Masked for analysts in the staff directory, like an identifier value'),
    phone: z.string().nullable().describe('Masked for analysts in the staff directory'),
    maxOpenLeads: z.number().nullable(),
    active: z.boolean(),
    lockedUntil: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Staff' });
export type StaffView = z.infer<typeof staffSchema>;

export const staffParams = z.object({ id: uuidString });
export const staffListQuery = z.strictObject({
  orgUnitCode: orgUnitCode.optional().describe('Staff of this unit and everything under it'),
  role: staffRoleSchema.optional(),
});

export const passwordResetSchema = z.strictObject({ password: passwordSchema });

export const loginSchema = z
  .strictObject({
    username: z.string({ error: 'username is required' }).trim().min(1, 'username is required').max(64).pipe(storableText).transform((s) => s.toLowerCase()),
    password: z.string({ error: 'password is required' }).min(1, 'password is required').max(200).pipe(storableText),
  })
  .meta({ id: 'Login' });

export const loginResultSchema = z
  .object({
    token: z.string().describe('Send as "Authorization: Bearer <token>" on every /api/v1 request'),
    expiresAt: z.string(),
    staff: staffSchema,
  })
  .meta({ id: 'LoginResult' });

/** The languages of the console and the API's messages to people. */
export const LOCALES = ['zh-CN', 'en'] as const;
export const localeSchema = z.enum(LOCALES, { error: `locale must be one of ${LOCALES.join(', ')}` });
export type Locale = z.infer<typeof localeSchema>;

export const meSchema = z
  .object({
    kind: z.enum(['admin_token', 'staff', 'system']),
    actor: z.string(),
    role: staffRoleSchema,
    staff: staffSchema.nullable(),
    scope: z.object({
      kind: z.enum(['all', 'units', 'own']),
      orgUnitCodes: z.array(z.string()).describe('The units whose customers and leads are in scope (empty for the whole tenant)'),
    }),
    maskPii: z.boolean(),
    tenant: z.object({
      id: z.string(),
      name: z.string(),
      timeZone: z.string().describe('IANA time zone the console shows times and days in, e.g. Asia/Shanghai'),
    }),
    locale: localeSchema.describe("The staff member's console language (admin tokens: zh-CN)"),
  })
  .meta({ id: 'Me' });

export const meUpdateSchema = z.strictObject({ locale: localeSchema }).meta({ id: 'MeUpdate' });
export type MeUpdate = z.infer<typeof meUpdateSchema>;

/** What the console's cookie sign-in answers: the session token itself stays in an HttpOnly cookie. */
export const consoleSessionSchema = z
  .object({
    staff: staffSchema,
    expiresAt: z.string(),
    csrfToken: z
      .string()
      .describe('Send as the X-CSRF-Token header on every request but GET, HEAD and OPTIONS made with the session cookie (also in the siyu_csrf cookie)'),
  })
  .meta({ id: 'ConsoleSession' });
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;

export const auditQuery = z.strictObject({
  action: z.string().trim().max(100).pipe(storableText).optional().describe('Exact action, or a prefix ending in "." (e.g. "staff.")'),
  actor: z.string().trim().max(200).pipe(storableText).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be a cursor from a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  details: z.unknown(),
});
export const auditPageSchema = z.object({ data: z.array(auditEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'AuditPage' });

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const notificationsQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const notificationParams = z.object({ id: uuidString });
