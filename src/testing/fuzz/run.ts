import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { basicAuth } from '../app.js';
import { login } from '../org.js';
import { operationsOf, type OperationSpec, type Param } from './operations.js';
import { encodeLoosely } from './encode.js';
import { mutantsOf, validRequest, type FuzzRequest, type RequestContext } from './requests.js';
import { Rng } from './rng.js';
import { Resolver, isSchema } from './schema.js';
import type { World } from './world.js';

/**
 * A schema-driven fuzz of the whole API: for every operation the served document lists, valid
 * requests as several principals, then mutations of them. Fails on any 5xx, any 4xx outside the
 * error shape, and any stack trace in a body; the failing request is printed whole.
 */

export interface FuzzReport {
  operations: number;
  requests: number;
  statuses: Record<string, number>;
  failures: string[];
  /** Operations none of whose valid requests succeeded or redirected (`METHOD /path: statuses`): their handlers were reached by mutations only. */
  neverSucceeded: string[];
}

const STACK_TRACE = /\n\s+at [^\n]*(?:\(|:\d+:\d+)|node:internal|\bat async\b/;

function urlOf(spec: OperationSpec, req: FuzzRequest): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => req.path[name] ?? name);
  const query = req.query.map(([k, v]) => `${encodeLoosely(k)}=${encodeLoosely(v)}`).join('&');
  return query ? `${path}?${query}` : path;
}

/** What is wrong with an answer, or null. A HEAD answer has no body to look at. */
export function answerProblem(res: LightMyRequestResponse, method: string): string | null {
  if (res.statusCode >= 500) return `answered ${res.statusCode}`;
  if (STACK_TRACE.test(res.body)) return 'the body carries a stack trace';
  if (res.statusCode < 400 || method === 'HEAD') return null;
  const type = res.headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/json')) return `a ${res.statusCode} with Content-Type ${String(type)}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `a ${res.statusCode} whose body is not JSON`;
  }
  const error = isSchema(body) ? body['error'] : undefined;
  if (!isSchema(body) || !isSchema(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string' || !('details' in error) || Object.keys(body).length !== 1) {
    return `a ${res.statusCode} outside the error shape { error: { code, message, details } }`;
  }
  return null;
}

function describe(req: FuzzRequest, url: string, res: LightMyRequestResponse, problem: string): string {
  const payload = req.body ? (typeof req.body.payload === 'string' ? req.body.payload : `<${req.body.payload.length} bytes>`) : '';
  return [
    `${problem} — ${req.label}`,
    `  ${req.method} ${url.slice(0, 400)}`,
    `  as ${req.auth}${req.body ? `, Content-Type ${req.body.contentType}${req.body.encoding ? `, Content-Encoding ${req.body.encoding}` : ''}` : ''}`,
    payload ? `  body: ${payload.slice(0, 400)}${payload.length > 400 ? ` … (${payload.length} characters)` : ''}` : '',
    `  → ${res.statusCode} ${res.body.slice(0, 400)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

class Credentials {
  constructor(
    private readonly app: FastifyInstance,
    private readonly world: World,
  ) {}

  async headers(spec: OperationSpec, who: FuzzRequest['auth']): Promise<Record<string, string>> {
    if (spec.auth === 'none' || who === 'none') return {};
    if (who === 'garbage') return { authorization: spec.auth === 'writeKey' ? 'Basic %%%not-base64' : 'Bearer st_forged.token' };
    if (spec.auth === 'writeKey') return { authorization: basicAuth(this.world.tenant.writeKey) };
    // Ending a session: a fresh one of a staff member kept for that, so no other credential dies.
    if (spec.path === '/api/v1/auth/logout') return { authorization: `Bearer ${await login(this.app, this.world.logoutUser)}` };
    const token = who === 'admin' ? this.world.tenant.adminToken : this.world.network.staff[who].token;
    return { authorization: `Bearer ${token}` };
  }
}

export async function fuzzApi(app: FastifyInstance, world: World, seed: number): Promise<FuzzReport> {
  const doc: unknown = JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body);
  if (!isSchema(doc)) throw new Error('no API document');
  const rng = new Rng(seed);
  const ctx: RequestContext = {
    rng,
    resolver: new Resolver(doc),
    hints: world.hints,
    pathValue: (spec: OperationSpec, param: Param) => {
      const upTo = spec.path.slice(0, spec.path.indexOf(`{${param.name}}`) + param.name.length + 2);
      return world.pathValues[upTo];
    },
  };
  const credentials = new Credentials(app, world);
  const report: FuzzReport = { operations: 0, requests: 0, statuses: {}, failures: [], neverSucceeded: [] };
  for (const spec of operationsOf(doc)) {
    report.operations += 1;
    const valid = [validRequest(ctx, spec, 'admin'), validRequest(ctx, spec, 'admin'), ...(['managerA', 'consultantA1', 'analyst'] as const).map((who) => validRequest(ctx, spec, who))];
    const requests = [...valid, ...mutantsOf(ctx, spec, valid[0]!, rng)];
    const validStatuses: number[] = [];
    for (const req of requests) {
      const url = urlOf(spec, req);
      const headers: Record<string, string> = { ...(await credentials.headers(spec, req.auth)) };
      if (req.body) {
        headers['content-type'] = req.body.contentType;
        if (req.body.encoding) headers['content-encoding'] = req.body.encoding;
      }
      const res = await app.inject({ method: req.method, url, headers, ...(req.body ? { payload: req.body.payload } : {}) });
      report.requests += 1;
      report.statuses[res.statusCode] = (report.statuses[res.statusCode] ?? 0) + 1;
      if (req.label === 'valid') validStatuses.push(res.statusCode);
      const problem = answerProblem(res, req.method);
      if (problem) report.failures.push(describe(req, url, res, problem));
    }
    // A redirect (the WeCom sign-in's 302, a merged profile's 308) is the handler's answer too.
    if (!validStatuses.some((s) => s < 400)) report.neverSucceeded.push(`${spec.method} ${spec.path}: ${validStatuses.join(', ')}`);
  }
  return report;
}
