import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contracts/common.js';
import {
  auditPageSchema,
  auditQuery,
  loginResultSchema,
  loginSchema,
  meSchema,
  meUpdateSchema,
  notificationParams,
  notificationSchema,
  notificationsQuery,
  orgUnitCode,
  orgUnitCreateSchema,
  orgUnitParams,
  orgUnitSchema,
  orgUnitUpdateSchema,
  passwordResetSchema,
  staffCreateSchema,
  staffListQuery,
  staffParams,
  staffSchema,
  staffUpdateSchema,
} from '../../contracts/org.js';
import * as tenancy from '../../modules/tenancy/index.js';
import { ADMIN_ROLES, OPS_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requireAdmin, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
/** Admins, and dealer managers for consultants and service advisors of their own units. */
const STAFF_MANAGERS = [...ADMIN_ROLES, 'dealer_manager'] as const;

/** Org units, staff, login, the audit log and staff notifications. */
export async function orgRoutes(app: FastifyInstance, deps: AppDeps) {
  const t = { db: deps.store.db, clock: deps.clock };
  const db = deps.store.db;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/org-units',
    {
      schema: {
        tags: ['org'],
        summary: 'Create an org unit (HQ → region → dealer group → dealer → team); the same code and fields again answer 200',
        body: orgUnitCreateSchema,
        response: { 200: orgUnitSchema, 201: orgUnitSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { unit, created } = await tenancy.createOrgUnit(t, requirePrincipal(request, OPS_ROLES), request.body);
      return reply.code(created ? 201 : 200).send(unit);
    },
  );

  r.get(
    '/api/v1/org-units',
    {
      schema: {
        tags: ['org'],
        summary: 'Org units in tree order (dealer-side staff: their own units)',
        querystring: z.strictObject({ under: orgUnitCode.optional().describe('Only this unit and everything under it (a code)') }),
        response: { 200: z.object({ data: z.array(orgUnitSchema) }), ...errors },
        security,
      },
    },
    async (request) => ({ data: await tenancy.listOrgUnits(db, requirePrincipal(request), request.query.under) }),
  );

  r.get(
    '/api/v1/org-units/:code',
    { schema: { tags: ['org'], summary: 'An org unit (404 outside your scope)', params: orgUnitParams, response: { 200: orgUnitSchema, ...errors }, security } },
    async (request) => tenancy.getOrgUnit(db, requirePrincipal(request), request.params.code),
  );

  r.put(
    '/api/v1/org-units/:code',
    { schema: { tags: ['org'], summary: 'Change a unit; a new parentCode moves it with everything under it', params: orgUnitParams, body: orgUnitUpdateSchema, response: { 200: orgUnitSchema, ...errors }, security } },
    async (request) => tenancy.updateOrgUnit(t, requirePrincipal(request, OPS_ROLES), request.params.code, request.body),
  );

  r.post(
    '/api/v1/staff',
    {
      schema: {
        tags: ['staff'],
        summary: 'Create a staff member (admins; dealer managers: consultants and service advisors of their units)',
        body: staffCreateSchema,
        response: { 200: staffSchema, 201: staffSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { staff, created } = await tenancy.createStaff(t, requirePrincipal(request, STAFF_MANAGERS), request.body);
      return reply.code(created ? 201 : 200).send(staff);
    },
  );

  r.get(
    '/api/v1/staff',
    { schema: { tags: ['staff'], summary: 'Staff (dealer-side staff: those of their units)', querystring: staffListQuery, response: { 200: z.object({ data: z.array(staffSchema) }), ...errors }, security } },
    async (request) => ({ data: await tenancy.listStaff(db, requirePrincipal(request), request.query) }),
  );

  r.get(
    '/api/v1/staff/:id',
    { schema: { tags: ['staff'], summary: 'A staff member (404 outside your scope)', params: staffParams, response: { 200: staffSchema, ...errors }, security } },
    async (request) => tenancy.getStaff(db, requirePrincipal(request), request.params.id),
  );

  r.put(
    '/api/v1/staff/:id',
    {
      schema: {
        tags: ['staff'],
        summary: 'Change a staff member; role, unit and activation changes are audited and end their sessions',
        params: staffParams,
        body: staffUpdateSchema,
        response: { 200: staffSchema, ...errors },
        security,
      },
    },
    async (request) => tenancy.updateStaff(t, requirePrincipal(request, STAFF_MANAGERS), request.params.id, request.body),
  );

  r.post(
    '/api/v1/staff/:id/password',
    { schema: { tags: ['staff'], summary: 'Set a new password: unlocks the account and ends its sessions', params: staffParams, body: passwordResetSchema, response: { 200: staffSchema, ...errors }, security } },
    async (request) => tenancy.resetPassword(t, requirePrincipal(request, STAFF_MANAGERS), request.params.id, request.body.password),
  );

  r.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: `Staff login → a session token (${tenancy.SESSION_HOURS} h); ${tenancy.MAX_FAILED_LOGINS} wrong passwords in a row lock the account for ${tenancy.LOCK_MINUTES} min (423)`,
        body: loginSchema,
        response: { 200: loginResultSchema, 400: errorBodySchema, 401: errorBodySchema, 423: errorBodySchema },
        security: [],
      },
    },
    async (request) => tenancy.login(t, request.body),
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'End this session (idempotent)', response: { 204: z.null(), ...errors }, security } },
    async (request, reply) => {
      await tenancy.logout(t, requirePrincipal(request), request.credential?.token ?? '');
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the token acts as: role, data scope, PII masking, the tenant (name, time zone) and the console language',
        response: { 200: meSchema, ...errors },
        security,
      },
    },
    async (request) => tenancy.whoAmI(db, requirePrincipal(request)),
  );

  r.patch(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own settings (the console language); staff sessions only, admin tokens have none (403)',
        body: meUpdateSchema,
        response: { 200: meSchema, ...errors },
        security,
      },
    },
    async (request) => tenancy.updateMe(t, requirePrincipal(request), request.body),
  );

  r.get(
    '/api/v1/audit-log',
    { schema: { tags: ['audit'], summary: 'Logins, exports, permission changes, credentials, merges and splits, newest first (admins)', querystring: auditQuery, response: { 200: auditPageSchema, ...errors }, security } },
    async (request) => tenancy.auditLog(db, requireAdmin(request), request.query),
  );

  r.get(
    '/api/v1/notifications',
    { schema: { tags: ['notifications'], summary: "The calling staff member's notifications, newest first", querystring: notificationsQuery, response: { 200: z.object({ data: z.array(notificationSchema) }), ...errors }, security } },
    async (request) => tenancy.myNotifications(db, requirePrincipal(request), request.query),
  );

  r.post(
    '/api/v1/notifications/:id/read',
    { schema: { tags: ['notifications'], summary: 'Mark one of your notifications read', params: notificationParams, response: { 200: notificationSchema, ...errors }, security } },
    async (request) => tenancy.readNotification(db, requirePrincipal(request), request.params.id, deps.clock.now()),
  );
}
