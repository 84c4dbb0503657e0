import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { tenantCreatedSchema, type TenantCreated } from '../../src/contracts/tenancy.js';
import { testDatabaseUrl, type EngineName } from '../../src/testing/engines.js';

/**
 * Helpers for tests that run Siyu as a real child process (`siyu serve`, `siyu tenant create`):
 * free ports, the environment per engine, spawning, waiting for health, and killing for sure.
 */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `node --import tsx src/cli/main.ts ...`: the CLI from source, as `npm start` would run it built. */
const cliArgs = (args: readonly string[]) => ['--import', 'tsx', 'src/cli/main.ts', ...args];

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolvePort(port) : reject(new Error('no port was assigned'))));
    });
  });
}

/** A fresh directory for a PGlite store; `remove()` deletes it. */
export function tempDataDir(prefix = 'siyu-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The `SIYU_*` environment for a child on `engine`: PGlite in `dataDir`, or the test PostgreSQL.
 * The parent's own `SIYU_*` variables are dropped so they cannot leak into the child's config.
 */
export function serverEnv(engine: EngineName, opts: { dataDir?: string; port?: number; logLevel?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SIYU_')) env[k] = v;
  env['SIYU_HOST'] = '127.0.0.1';
  env['SIYU_LOG_LEVEL'] = opts.logLevel ?? 'warn';
  if (opts.port !== undefined) env['SIYU_PORT'] = String(opts.port);
  if (engine === 'postgres') {
    if (!testDatabaseUrl) throw new Error('SIYU_TEST_DATABASE_URL is not set');
    env['SIYU_DATABASE_URL'] = testDatabaseUrl;
  } else {
    if (!opts.dataDir) throw new Error('a PGlite child needs a dataDir');
    env['SIYU_DATA_DIR'] = opts.dataDir;
  }
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command to completion; SIGKILLs it and rejects after `timeoutMs`. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(process.execPath, cliArgs(args), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`siyu ${args.join(' ')} did not finish in ${timeoutMs} ms\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the child wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resolves when the child has exited (at once if it already has). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the child (if still running) and waits for it to be gone, at most `timeoutMs`. */
  kill(timeoutMs?: number): Promise<void>;
}

/** Spawns `siyu serve` on `port`; does not wait for it to be ready (see `waitForHealth`). */
export function startServer(env: NodeJS.ProcessEnv, port: number): ServerProcess {
  const child = spawn(process.execPath, cliArgs(['serve']), {
    cwd: repoRoot,
    env: { ...env, SIYU_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: string) => {
    output = (output + d).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (err) => {
      keep(`spawn error: ${err.message}\n`);
      resolveExit({ code: null, signal: null });
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    async kill(timeoutMs = 10_000) {
      if (running()) child.kill('SIGKILL');
      const gone = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!gone) throw new Error(`server pid ${child.pid} did not exit ${timeoutMs} ms after SIGKILL`);
    },
  };
}

/** Polls `GET /healthz` until it answers 200; fails early if the child exits, or after `timeoutMs`. */
export async function waitForHealth(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void server.exited.then((e) => (exit = e));
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before it was healthy:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new Error(`the server at ${server.url} was not healthy after ${timeoutMs} ms (last: ${last}):\n${server.output()}`);
}

/** Spawns `siyu serve` on a free port and waits until it is healthy; kills it if it never gets there. */
export async function startHealthyServer(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ServerProcess> {
  const server = startServer(env, await freePort());
  try {
    await waitForHealth(server, timeoutMs);
  } catch (err) {
    await server.kill().catch(() => undefined);
    throw err;
  }
  return server;
}

/** Resolves with `promise`, or rejects once `ms` have passed: every wait in these tests is bounded. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `siyu tenant create --json` in a child process; returns the new tenant's ids and secrets. */
export async function createTenantWithCli(env: NodeJS.ProcessEnv, name: string, timeoutMs = 60_000): Promise<TenantCreated> {
  const r = await runCli(['tenant', 'create', '--name', name, '--json'], env, timeoutMs);
  if (r.code !== 0) throw new Error(`siyu tenant create exited with ${r.code ?? r.signal}:\n${r.stderr}`);
  return tenantCreatedSchema.parse(JSON.parse(r.stdout));
}

/**
 * A new, empty database on the test PostgreSQL server, for child servers whose background work
 * (the One ID resolver serves every tenant of its database) must not reach other tests' tenants.
 */
export async function isolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('SIYU_TEST_DATABASE_URL is not set');
  const name = `siyu_test_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
