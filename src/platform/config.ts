import { z } from 'zod';

/**
 * Configuration, read once from the environment at boot. This is the only module that reads
 * `process.env`; everything else receives a `Config`.
 */
const portSchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const configSchema = z.object({
  SIYU_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  SIYU_PORT: portSchema.default(3000),
  SIYU_DATA_DIR: z.string().min(1, 'must not be empty').default('./.siyu/data'),
  SIYU_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a PostgreSQL URL such as postgres://user:pass@host:5432/siyu')
    .optional(),
  SIYU_PG_POOL_MAX: z.coerce
    .number({ error: 'must be a whole number of connections, e.g. 10' })
    .int('must be a whole number of connections, e.g. 10')
    .min(1, 'must be at least 1')
    .max(200, 'must be at most 200')
    .default(10),
  SIYU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIYU_LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' }).default('auto'),
  SIYU_DEMO: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  SIYU_DEMO_PEOPLE: z.coerce
    .number({ error: 'must be a whole number of people, e.g. 20000' })
    .int('must be a whole number of people, e.g. 20000')
    .min(100, 'must be at least 100')
    .max(1_000_000, 'must be at most 1000000')
    .default(20_000),
  SIYU_SHUTDOWN_GRACE_MS: z.coerce
    .number({ error: 'must be a number of milliseconds, e.g. 10000' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must not be negative')
    .max(600_000, 'must be at most 600000 (10 minutes)')
    .default(10_000),
  SIYU_REQUEST_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds, e.g. 300000' })
    .int('must be a whole number of milliseconds')
    .min(1000, 'must be at least 1000')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(300_000),
  SIYU_TRUST_PROXY: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  SIYU_WORKER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  SIYU_WORKER_POLL_MS: z.coerce
    .number({ error: 'must be a number of milliseconds, e.g. 1000' })
    .int('must be a whole number of milliseconds')
    .min(50, 'must be at least 50')
    .max(60_000, 'must be at most 60000')
    .default(1000),
  SIYU_SECRET_KEY: z
    .string()
    .transform((v, ctx) => {
      const key = secretKeyBytes(v);
      if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes as 64 hex characters or base64 (e.g. the output of `openssl rand -base64 32`)' });
      return key ?? Buffer.alloc(0);
    })
    .optional(),
});

/** Settings whose value is never printed back in an error. */
const SECRET_SETTINGS = new Set(['SIYU_SECRET_KEY']);

/** A 256-bit key given as 64 hex characters or as base64 (standard or URL-safe). */
function secretKeyBytes(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) return null;
  const bytes = Buffer.from(v, 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** Variables with these prefixes belong to tests and benchmarks, not to the service. */
const FOREIGN_PREFIXES = ['SIYU_TEST_', 'SIYU_BENCH_'];

/** `postgres://user:secret@host` → `postgres://user:***@host`: config errors must not print passwords. */
function masked(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

export type StoreConfig =
  | { engine: 'pglite'; dataDir: string }
  | { engine: 'postgres'; url: string; poolMax: number };

/** `auto`: human-readable lines when stdout is a terminal, JSON otherwise. */
export type LogFormat = z.infer<typeof configSchema>['SIYU_LOG_FORMAT'];

export interface Config {
  host: string;
  port: number;
  store: StoreConfig;
  logLevel: z.infer<typeof configSchema>['SIYU_LOG_LEVEL'];
  /** Absent: `auto`. */
  logFormat?: LogFormat;
  shutdownGraceMs: number;
  /** How long a client may take to send a whole request (a large CSV import included); 408 after. */
  requestTimeoutMs: number;
  /**
   * Behind a reverse proxy that terminates HTTPS: trust its X-Forwarded-Proto/-For, so console cookies
   * are marked Secure and logs show the client's address.
   */
  trustProxy: boolean;
  /** Whether `siyu serve` also runs the job worker in its process (the only way on PGlite). */
  worker: { enabled: boolean; pollMs: number };
  /**
   * Whether `siyu serve` fills a store that holds no tenant yet with the demo brand before listening
   * (SIYU_DEMO `auto` means on the embedded store only). Absent: no demo.
   */
  demo?: { enabled: boolean; people: number };
  /** SIYU_SECRET_KEY: encrypts stored third-party credentials (lead platform tokens); absent, none can be stored. */
  secretKey?: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Siyu cannot start: its configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Fix the environment variables above and start again (see README.md, "Configuration").',
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as a shell `FOO=` usually means "no value".
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('SIYU_') && v !== '' && !FOREIGN_PREFIXES.some((p) => k.startsWith(p))),
  );
  const known = new Set(Object.keys(configSchema.shape));
  // A misspelt name would otherwise be ignored silently (e.g. start on PGlite instead of PostgreSQL).
  const unknown = Object.keys(present)
    .filter((k) => !known.has(k))
    .map((k) => `${k} is not a Siyu setting; known settings: ${[...known].join(', ')}`);
  const parsed = configSchema.safeParse(present);
  if (!parsed.success || unknown.length > 0) {
    const invalid = parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const name = String(issue.path[0] ?? 'environment');
          const got = present[name];
          return `${name} ${issue.message}${got === undefined || SECRET_SETTINGS.has(name) ? '' : ` (got ${JSON.stringify(masked(got))})`}`;
        });
    throw new ConfigError([...unknown, ...invalid]);
  }
  const c = parsed.data;
  const store: StoreConfig = c.SIYU_DATABASE_URL
    ? { engine: 'postgres', url: c.SIYU_DATABASE_URL, poolMax: c.SIYU_PG_POOL_MAX }
    : { engine: 'pglite', dataDir: c.SIYU_DATA_DIR };
  return {
    host: c.SIYU_HOST,
    port: c.SIYU_PORT,
    store,
    logLevel: c.SIYU_LOG_LEVEL,
    logFormat: c.SIYU_LOG_FORMAT,
    shutdownGraceMs: c.SIYU_SHUTDOWN_GRACE_MS,
    requestTimeoutMs: c.SIYU_REQUEST_TIMEOUT_MS,
    trustProxy: c.SIYU_TRUST_PROXY === 'on',
    worker: { enabled: c.SIYU_WORKER === 'on', pollMs: c.SIYU_WORKER_POLL_MS },
    // A server database is somebody's real data: the demo goes there only when asked for.
    demo: { enabled: c.SIYU_DEMO === 'on' || (c.SIYU_DEMO === 'auto' && store.engine === 'pglite'), people: c.SIYU_DEMO_PEOPLE },
    ...(c.SIYU_SECRET_KEY ? { secretKey: c.SIYU_SECRET_KEY } : {}),
  };
}
