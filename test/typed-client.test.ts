import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TenantCreated } from '../src/contracts/tenancy.js';
import type { Store } from '../src/platform/db/index.js';
import { testApp } from '../src/testing/app.js';
import { freshTenant, openTestStore } from '../src/testing/engines.js';
import { repoRoot } from './support/server-process.js';

/**
 * An integrator's typed client, end to end: TypeScript types are generated from the `/openapi.json`
 * a running Siyu serves, a small program written against them with `openapi-fetch` must compile in
 * strict mode, a deliberately wrong one must not, and the program's calls must work against the
 * server. Everything generated lives in a temp dir outside the repository. PGlite only: the document
 * is the same on both engines.
 */

/** The integrator's program, as the README shows it: typed bodies, typed results, typed errors. */
const CLIENT_PROGRAM = `
import createClient from 'openapi-fetch';
import type { components, paths } from './siyu-api.js';

// POST /api/v1/leads takes one lead or a { leads: [...] } batch: naming the type checks it as one lead.
type LeadCreate = components['schemas']['LeadCreateInput'];

const [baseUrl = '', token = ''] = process.argv.slice(2);
const siyu = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + token } });

function fail(what: string, error: unknown): never {
  throw new Error(what + ' failed: ' + JSON.stringify(error));
}

const hq = await siyu.POST('/api/v1/org-units', { body: { code: 'HQ', name: '总部', type: 'hq' } });
if (!hq.data) fail('creating the HQ', hq.error);
const dealer = await siyu.POST('/api/v1/org-units', {
  body: { code: 'SH001', name: '上海浦东店', type: 'dealer', parentCode: hq.data.code, city: '上海', capacity: 20 },
});
if (!dealer.data) fail('creating the dealer', dealer.error);

const lead: LeadCreate = { source: 'website', externalId: 'web-1001', name: '王女士', phone: '138 1234 5678', city: '上海', series: '汉', dealerCode: 'SH001' };
const created = await siyu.POST('/api/v1/leads', { body: lead });
// One lead is answered with its intake result; a { leads: [...] } batch with { results }.
if (!created.data || 'results' in created.data) fail('taking in the lead', created.error);
const leadId: string = created.data.id;

const read = await siyu.GET('/api/v1/leads/{id}', { params: { path: { id: leadId } } });
if (!read.data) fail('reading the lead', read.error);
const phone: string | null = read.data.phone;

const listed = await siyu.GET('/api/v1/leads', { params: { query: { dealerCode: 'SH001', limit: 10 } } });
if (!listed.data) fail('listing leads', listed.error);

const bad: LeadCreate = { source: 'website', externalId: 'web-1002', phone: 'call me maybe' };
const refused = await siyu.POST('/api/v1/leads', { body: bad });
if (!refused.error) fail('refusing a bad phone', refused.data);
const missing = await siyu.GET('/api/v1/leads/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
if (!missing.error) fail('answering an unknown lead', missing.data);

console.log(JSON.stringify({
  dealer: { status: dealer.response.status, id: dealer.data.id, code: dealer.data.code, path: dealer.data.path },
  created: { status: created.response.status, id: leadId, dedup: created.data.dedup, dealerCode: created.data.dealerCode },
  read: { id: read.data.id, phone, dealerCode: read.data.dealerCode, score: read.data.score, status: read.data.status },
  listed: { ids: listed.data.data.map((l) => l.id), nextCursor: listed.data.nextCursor },
  refused: { status: refused.response.status, ...refused.error.error },
  missing: { status: missing.response.status, code: missing.error.error.code },
}));
`;

/** Wrong uses of the same types: every line marked "wrong:" must produce a diagnostic, no other line may. */
const WRONG_PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './siyu-api.js';

const siyu = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });

export async function wrongUses(): Promise<void> {
  await siyu.POST('/api/v1/org-units', { body: { code: 'SH002', name: 'x', type: 'dealer', parentCode: 'HQ', capacity: 'twenty' } }); // wrong: capacity is a number
  await siyu.POST('/api/v1/org-units', { body: { code: 'SH003', name: 'x', type: 'store' } }); // wrong: no such org unit type
  await siyu.GET('/api/v1/lead/{id}', { params: { path: { id: 'x' } } }); // wrong: no such path
  await siyu.GET('/api/v1/leads', { params: { query: { limit: '10' } } }); // wrong: limit is a number
  const lead = await siyu.GET('/api/v1/leads/{id}', { params: { path: { id: 'x' } } });
  const score: string | undefined = lead.data?.score; // wrong: score is a number
  void score;
}
`;

/** The compiler options of a strict integrator project (Node ESM); the generated file is checked too. */
const STRICT: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
};

/** What the client program prints: the answers of its calls. */
const programOutputSchema = z.object({
  dealer: z.object({ status: z.number(), id: z.string(), code: z.string(), path: z.array(z.string()) }),
  created: z.object({ status: z.number(), id: z.string(), dedup: z.string(), dealerCode: z.string().nullable() }),
  read: z.object({ id: z.string(), phone: z.string().nullable(), dealerCode: z.string().nullable(), score: z.number(), status: z.string() }),
  listed: z.object({ ids: z.array(z.string()), nextCursor: z.string().nullable() }),
  refused: z.object({ status: z.number(), code: z.string(), message: z.string(), details: z.unknown() }),
  missing: z.object({ status: z.number(), code: z.string() }),
});

/**
 * Generates the types from the served document. This is the Node API equivalent of the README's
 * `npx openapi-typescript http://127.0.0.1:3000/openapi.json -o siyu-api.d.ts`: it fetches the URL
 * itself, as the CLI does, with the same default options (warnings about the document are printed).
 */
async function generateTypes(baseUrl: string): Promise<string> {
  const ast = await openapiTS(new URL('/openapi.json', baseUrl));
  return astToString(ast);
}

/** A temp project: the generated types, the two programs, and the repository's node_modules linked in. */
async function writeProject(dir: string, types: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'siyu-api.d.ts'), types);
  await writeFile(join(dir, 'client.ts'), CLIENT_PROGRAM);
  await writeFile(join(dir, 'wrong.ts'), WRONG_PROGRAM);
}

/** What the compiler says about a program: problems with the options or globals, and each file's diagnostics. */
interface CheckResult {
  global: ts.Diagnostic[];
  byFile: Map<string, ts.Diagnostic[]>;
}

/** Type-checks the given files in one program; only these files are reported, not the libraries they use. */
function typeCheck(files: readonly string[]): CheckResult {
  const program = ts.createProgram(files, STRICT);
  const byFile = new Map<string, ts.Diagnostic[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the program`);
    byFile.set(file, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  }
  return { global: [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()], byFile };
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => repoRoot,
  getNewLine: () => '\n',
};
const format = (diagnostics: readonly ts.Diagnostic[]) => ts.formatDiagnostics(diagnostics, formatHost);

/** The 1-based lines that carry diagnostics. */
function linesWithDiagnostics(diagnostics: readonly ts.Diagnostic[]): number[] {
  const lines = diagnostics.map((d) => (d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0));
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** The 1-based lines of `source` marked as wrong. */
function markedLines(source: string): number[] {
  return source.split('\n').flatMap((line, i) => (line.includes('// wrong:') ? [i + 1] : []));
}

/** Transpiles the program to plain JavaScript and runs it with Node against the server. */
async function runProgram(dir: string, baseUrl: string, token: string): Promise<unknown> {
  const js = ts.transpileModule(await readFile(join(dir, 'client.ts'), 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  await writeFile(join(dir, 'client.mjs'), js);
  // Asynchronous on purpose: the server answering the program runs on this process's event loop.
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'client.mjs'), baseUrl, token], { cwd: dir, timeout: 30_000 });
  return JSON.parse(stdout);
}

describe('a typed client generated from /openapi.json', () => {
  let store: Store;
  let app: FastifyInstance;
  let baseUrl: string;
  let tenant: TenantCreated;
  let dir: string;
  let types: string;
  let checked: CheckResult;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    app = await testApp(store);
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    tenant = await freshTenant(store);
    dir = await mkdtemp(join(tmpdir(), 'siyu-typed-client-'));
    types = await generateTypes(baseUrl);
    await writeProject(dir, types);
    checked = typeCheck(['siyu-api.d.ts', 'client.ts', 'wrong.ts'].map((f) => join(dir, f)));
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generates types for the served paths and schemas', () => {
    expect(types).toContain('export interface paths');
    expect(types).toContain('"/api/v1/leads/{id}"');
    expect(types).toContain('export interface components');
  });

  it('the generated types and the client program compile in strict mode', () => {
    const problems = [...checked.global, ...['siyu-api.d.ts', 'client.ts'].flatMap((f) => checked.byFile.get(join(dir, f)) ?? [])];
    expect(format(problems)).toBe('');
  });

  it('a wrong use of the types does not compile, exactly where it is wrong', () => {
    const wrong = checked.byFile.get(join(dir, 'wrong.ts')) ?? [];
    expect(linesWithDiagnostics(wrong), format(wrong)).toEqual(markedLines(WRONG_PROGRAM));
  });

  it('the program makes real calls and gets typed answers', async () => {
    const out = programOutputSchema.parse(await runProgram(dir, baseUrl, tenant.adminToken));
    expect(out.dealer).toMatchObject({ status: 201, code: 'SH001', path: ['HQ', 'SH001'] });
    expect(out.created).toMatchObject({ status: 201, dedup: 'new', dealerCode: 'SH001' });
    expect(out.read).toMatchObject({ id: out.created.id, phone: '+8613812345678', dealerCode: 'SH001' });
    expect(out.listed.ids).toEqual([out.created.id]);
    expect(out.refused).toMatchObject({ status: 400, code: 'invalid_request', details: { part: 'body', issues: [{ path: 'phone' }] } });
    expect(out.missing).toEqual({ status: 404, code: 'not_found' });
  });
});
