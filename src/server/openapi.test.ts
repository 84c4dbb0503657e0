import SwaggerParser from '@apidevtools/swagger-parser';
import { lintFromString, loadConfig } from '@redocly/openapi-core';
import type { OpenAPIV3_1 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { operationIdFor, operations } from './openapi.js';

/** The served API document is one that validators, linters and client generators take as it is. */

/** Operations a browser navigates through: their success is a redirect, not a 2xx (redocly.yaml leaves this rule to this test). */
const REDIRECTS = new Set(['GET /api/v1/auth/wecom/start', 'GET /api/v1/auth/wecom/callback']);

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;

describe('the API document (/openapi.json)', () => {
  const fx = useAppFixture('pglite', { tenantPerTest: false });
  const served = async (): Promise<Document> => json(await fx.app.inject({ method: 'GET', url: '/openapi.json' })) as Document;

  it('validates as OpenAPI 3.1 with swagger-parser: every $ref resolves (the recursive segment condition included)', async () => {
    const doc = await served();
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(doc.components?.schemas?.['SegmentConditionInput']).toBeDefined();
    expect(JSON.stringify(doc)).not.toMatch(/__shared|__SCHEMA__PLACEHOLDER__|"\$id"/);
  });

  it('passes the committed Redocly ruleset (redocly.yaml) without a single problem', async () => {
    const config = await loadConfig({ configPath: 'redocly.yaml' });
    const problems = await lintFromString({ source: JSON.stringify(await served()), absoluteRef: '/openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`)).toEqual([]);
  });

  it('every operation has an id, a summary, its parameters, its bodies per media type, its successes and its errors', async () => {
    const doc = await served();
    const ops = [...operations(doc)];
    console.log(`the API document lists ${ops.length} operations on ${Object.keys(doc.paths ?? {}).length} paths`);
    expect(ops.length).toBeGreaterThan(100);
    for (const [path, method, op] of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toBe(operationIdFor(method, path));
      expect(op.summary, where).toBeTruthy();
      const params = (op.parameters ?? []).flatMap((p) => ('in' in p ? [p] : []));
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) expect(params.some((p) => p.in === 'path' && p.name === name), `${where} documents {${name}}`).toBe(true);
      const statuses = Object.keys(op.responses ?? {});
      if (REDIRECTS.has(where)) expect(statuses, `${where} answers a redirect`).toContain('302');
      else expect(statuses.some((s) => s.startsWith('2')), `${where} has a success`).toBe(true);
      expect(statuses, where).toEqual(expect.arrayContaining(['400', '5XX']));
      if (/\{\w+\}/.test(path)) expect(statuses, where).toEqual(expect.arrayContaining(['404', '414']));
      if (method !== 'get' && !path.startsWith('/v1/')) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
      if (path.startsWith('/v1/') && path !== '/v1/leads') expect(statuses, `${where}: the tracking API reads any type`).not.toContain('415');
      if ((op.security ?? []).length > 0) expect(statuses, where).toContain('401');
      const body = op.requestBody && 'content' in op.requestBody ? op.requestBody : null;
      for (const [mediaType, media] of Object.entries(body?.content ?? {})) {
        expect(media.schema && ('$ref' in media.schema || 'type' in media.schema || 'anyOf' in media.schema || 'oneOf' in media.schema), `${where} ${mediaType} has a schema`).toBeTruthy();
      }
    }
  });

  it('documents what each body really is: one lead or a batch, CSV imports as text/csv, the CSV export', async () => {
    const doc = await served();
    const op = (path: string, method: 'get' | 'post') => doc.paths?.[path]?.[method];
    const content = (o: Operation | undefined) => (o?.requestBody && 'content' in o.requestBody ? o.requestBody.content : {});
    expect(content(op('/api/v1/leads', 'post'))['application/json']?.schema).toEqual({ $ref: '#/components/schemas/LeadCreateBodyInput' });
    expect(doc.components?.schemas?.['LeadCreateBodyInput']).toEqual({
      anyOf: [{ $ref: '#/components/schemas/LeadCreateInput' }, { $ref: '#/components/schemas/LeadBatchInput' }],
    });
    expect(Object.keys(content(op('/api/v1/leads/import', 'post'))).sort()).toEqual(['application/json', 'text/csv', 'text/plain']);
    expect(content(op('/api/v1/leads/import', 'post'))['application/json']?.schema).toEqual({ $ref: '#/components/schemas/LeadImportInput' });
    expect(Object.keys(content(op('/api/v1/after-sales/import', 'post'))).sort()).toEqual(['text/csv', 'text/plain']);
    const exportOk = op('/api/v1/exports/leads.csv', 'get')?.responses?.['200'];
    expect(exportOk && 'content' in exportOk ? Object.keys(exportOk.content ?? {}) : []).toEqual(['text/csv']);
    // An empty body reads as "no options": such bodies are optional.
    const approve = op('/api/v1/defeat-requests/{id}/approve', 'post')?.requestBody;
    expect(approve && 'required' in approve ? approve.required : undefined).toBe(false);
  });
});
