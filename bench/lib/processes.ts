/**
 * Child processes for benchmarks: the Siyu CLI and server run as real separate processes, started with
 * `node --import tsx` (no npx/tsx wrapper, so the pid we watch is the server itself). Every child is
 * killed when the bench process exits, whatever the reason.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const live = new Set<ChildProcess>();
const exitHooks: (() => void)[] = [];

/** Synchronous clean-up that must run even when the bench fails or is interrupted. */
export function onExit(hook: () => void): void {
  exitHooks.push(hook);
}

process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const hook of exitHooks.reverse()) {
    try {
      hook();
    } catch {
      // best effort: we are exiting anyway
    }
  }
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    process.exit(code);
  });
}

/** The environment without any inherited SIYU_* variable, plus `extra`. */
export function siyuEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIYU_')));
  return { ...base, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function tail(chunks: string[], text: string, max = 8192): void {
  chunks.push(text);
  while (chunks.join('').length > max && chunks.length > 1) chunks.shift();
}

export interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * The CLI the benchmarks run: the compiled dist/cli/main.js, as `npm start` runs it (`npm run bench`
 * builds first); BENCH_SERVER_ENTRY=tsx runs the sources through tsx instead, or names another main.js.
 */
const cliEntry = (): string[] => {
  const entry = process.env['BENCH_SERVER_ENTRY'] || 'dist/cli/main.js';
  return entry === 'tsx' ? ['--import', 'tsx', 'src/cli/main.ts'] : [entry];
};

/** `node [nodeArgs] <cli entry> <args>` in the repository root. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Started {
  const child = spawn(process.execPath, [...nodeArgs, ...cliEntry(), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const out: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => tail(out, d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => tail(out, d));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(child);
      resolve(null);
    });
  });
  return { child, output: () => out.join(''), exited };
}

/** Runs a CLI command to completion and returns its standard output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<string> {
  const stdout: string[] = [];
  const started = startCli(args, env);
  started.child.stdout?.on('data', (d: string) => stdout.push(d));
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const code = await started.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`siyu ${args.join(' ')} exited with ${code}:\n${started.output()}`);
  return stdout.join('');
}

export interface ProcMemory {
  rssKb: number;
  hwmKb: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) the process has used so far, in seconds. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function procCmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

export interface ServerProcess {
  pid: number;
  url: string;
  /** The largest VmRSS seen by the sampler so far, in kB. */
  maxSampledRssKb(): number;
  memory(): ProcMemory;
  cpuSeconds(): number;
  /** SIGTERM, wait for a graceful exit (SIGKILL after the grace period); resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `siyu serve` on a free loopback port (SIYU_PORT is set here) and waits until GET /healthz
 * answers 200. Another process may take the port between our probe and the server's listen: then
 * it tries again with another port.
 */
export async function startServer(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(env, await freePort(), nodeArgs);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
}

async function startServerOnce(env: NodeJS.ProcessEnv, port: number, nodeArgs: string[]): Promise<ServerProcess> {
  const started = startCli(['serve'], { ...env, SIYU_PORT: String(port) }, nodeArgs);
  const pid = started.child.pid;
  if (pid === undefined) throw new Error(`could not start the server:\n${started.output()}`);
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void started.exited.then((code) => (exitCode = code));

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited with ${exitCode} before it was healthy:\n${started.output()}`);
    if (Date.now() > deadline) {
      started.child.kill('SIGKILL');
      throw new Error(`the server was not healthy within 90 s:\n${started.output()}`);
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    // Healthy, and still ours: not some other process that took the port while ours failed.
    if (ok && exitCode === undefined) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const cmdline = procCmdline(pid);
  if (!cmdline[0]?.endsWith('node') || !cmdline.includes('serve')) {
    throw new Error(`pid ${pid} is not the node server process: ${cmdline.join(' ')}`);
  }

  let maxRss = 0;
  const sample = () => {
    try {
      maxRss = Math.max(maxRss, procMemory(pid).rssKb);
    } catch {
      // the process is gone
    }
  };
  sample();
  const sampler = setInterval(sample, 200);
  sampler.unref();

  return {
    pid,
    url,
    maxSampledRssKb: () => maxRss,
    memory: () => procMemory(pid),
    cpuSeconds: () => procCpuSeconds(pid),
    async stop(graceMs = 30_000) {
      clearInterval(sampler);
      if (exitCode !== undefined) return exitCode;
      started.child.kill('SIGTERM');
      const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
      const code = await started.exited;
      clearTimeout(timer);
      return code;
    },
  };
}
