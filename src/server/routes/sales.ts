import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contracts/common.js';
import { profileParams } from '../../contracts/profiles.js';
import {
  afterSalesCreateSchema,
  afterSalesImportBodySchema,
  afterSalesImportQuery,
  afterSalesImportResultSchema,
  afterSalesSchema,
  ltvSchema,
  orderCancelSchema,
  orderCreateSchema,
  orderDeliverSchema,
  orderInvoiceSchema,
  orderListQuery,
  orderNoParams,
  orderPageSchema,
  orderSchema,
  originSchema,
} from '../../contracts/sales.js';
import {
  cancelOrder,
  createAfterSales,
  createOrder,
  deliverOrder,
  getOrder,
  importAfterSales,
  invoiceOrder,
  listOrders,
  profileLtv,
  profileOrigin,
} from '../../modules/sales/index.js';
import { MANAGER_ROLES, WRITER_ROLES } from '../../modules/tenancy/index.js';
import { adminSecurity as security, requirePrincipal } from '../auth.js';
import type { AppDeps } from '../deps.js';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const tags = ['sales'];
/** A DMS export of a few thousand rows fits easily. */
const CSV_BODY_LIMIT = 16 * 1024 * 1024;

/** Orders and deliveries, after-sales (API and CSV), lifetime value and origin credit (docs/funnel.md). */
export async function salesRoutes(app: FastifyInstance, deps: AppDeps) {
  const d = { db: deps.store.db, store: deps.store, clock: deps.clock };
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Only this plugin's routes (the CSV import) read text/csv bodies.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  r.post(
    '/api/v1/orders',
    {
      schema: {
        tags,
        summary:
          "Record an order (idempotent by orderNo: the same body answers the order, 200; other details, 409). From a lead, the lead becomes ordered; the buyer becomes the dealer's customer; a buyer without an origin gets the ordering dealer as origin",
        body: orderCreateSchema,
        response: { 200: orderSchema, 201: orderSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { order, created } = await createOrder(d, requirePrincipal(request, WRITER_ROLES), request.body);
      return reply.code(created ? 201 : 200).send(order);
    },
  );

  r.get(
    '/api/v1/orders',
    { schema: { tags, summary: 'Orders you may see (your units’; consultants: of their leads), newest first', querystring: orderListQuery, response: { 200: orderPageSchema, ...errors }, security } },
    async (request) => ({ data: await listOrders(deps.store.db, requirePrincipal(request), request.query) }),
  );

  r.get(
    '/api/v1/orders/:orderNo',
    { schema: { tags, summary: 'An order', params: orderNoParams, response: { 200: orderSchema, ...errors }, security } },
    async (request) => getOrder(deps.store.db, requirePrincipal(request), request.params.orderNo),
  );

  r.post(
    '/api/v1/orders/:orderNo/invoice',
    {
      schema: { tags, summary: 'Invoice an order (开票); its lead becomes invoiced. The same time again changes nothing', params: orderNoParams, body: orderInvoiceSchema, response: { 200: orderSchema, ...errors }, security },
    },
    async (request) => (await invoiceOrder(d, requirePrincipal(request, WRITER_ROLES), request.params.orderNo, request.body)).order,
  );

  r.post(
    '/api/v1/orders/:orderNo/deliver',
    {
      schema: {
        tags,
        summary:
          'Deliver the car (交车) with its VIN: creates the vehicle and makes the buyer its buyer and current owner from the delivery time; the lead becomes delivered. The same delivery again changes nothing',
        params: orderNoParams,
        body: orderDeliverSchema,
        response: { 200: orderSchema, ...errors },
        security,
      },
    },
    async (request) => (await deliverOrder(d, requirePrincipal(request, WRITER_ROLES), request.params.orderNo, request.body)).order,
  );

  r.post(
    '/api/v1/orders/:orderNo/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an order not yet delivered (managers); a lead left without a live order returns to its status before the order',
        params: orderNoParams,
        body: orderCancelSchema.nullish().transform((b) => b ?? {}),
        response: { 200: orderSchema, ...errors },
        security,
      },
    },
    async (request) => (await cancelOrder(d, requirePrincipal(request, MANAGER_ROLES), request.params.orderNo, request.body)).order,
  );

  r.post(
    '/api/v1/after-sales',
    {
      schema: {
        tags,
        summary:
          "Record an after-sales visit (first maintenance, repair, insurance renewal …) for a profile or a VIN's owner; idempotent by externalId (without one, an identical record is the same one)",
        body: afterSalesCreateSchema,
        response: { 200: afterSalesSchema, 201: afterSalesSchema, ...errors },
        security,
      },
    },
    async (request, reply) => {
      const { record, created } = await createAfterSales(d, requirePrincipal(request, WRITER_ROLES), request.body);
      return reply.code(created ? 201 : 200).send(record);
    },
  );

  r.post(
    '/api/v1/after-sales/import',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Import after-sales records from a CSV file (Content-Type: text/csv; header row first). Map columns with map.<field>=<header> (fields: externalId, profileId, vin, dealerCode, kind, amountFen or amountYuan, at, note). All or nothing: any bad row rejects the file naming its line; re-importing changes nothing',
        querystring: afterSalesImportQuery,
        body: afterSalesImportBodySchema,
        response: { 200: afterSalesImportResultSchema, ...errors },
        security,
      },
    },
    async (request) => importAfterSales(d, requirePrincipal(request, WRITER_ROLES), request.body, request.query),
  );

  r.get(
    '/api/v1/profiles/:id/ltv',
    {
      schema: {
        tags,
        summary: "A person's lifetime value in fen: delivered orders (new_car) and after-sales by kind",
        params: profileParams,
        response: { 200: ltvSchema, 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request) => profileLtv(deps.store.db, requirePrincipal(request), request.params.id),
  );

  r.get(
    '/api/v1/profiles/:id/origin',
    {
      schema: {
        tags,
        summary: 'The unit that first brought the person in, and their orders credited to it (online or at another store included)',
        params: profileParams,
        response: { 200: originSchema, 308: errorBodySchema, ...errors },
        security,
      },
    },
    async (request) => profileOrigin(deps.store.db, requirePrincipal(request), request.params.id),
  );
}
