import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to PGlite in ./.siyu/data on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      store: { engine: 'pglite', dataDir: './.siyu/data' },
      logLevel: 'info',
      logFormat: 'auto',
      shutdownGraceMs: 10_000,
      requestTimeoutMs: 300_000,
      trustProxy: false,
      worker: { enabled: true, pollMs: 1000 },
      demo: { enabled: true, people: 20_000 },
    });
  });

  it('uses PostgreSQL when SIYU_DATABASE_URL is set', () => {
    const c = loadConfig({ SIYU_DATABASE_URL: 'postgres://u:p@db:5432/siyu', SIYU_PG_POOL_MAX: '20', SIYU_PORT: '8080' });
    expect(c.store).toEqual({ engine: 'postgres', url: 'postgres://u:p@db:5432/siyu', poolMax: 20 });
    expect(c.port).toBe(8080);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ SIYU_DATABASE_URL: '', SIYU_PORT: '' }).store.engine).toBe('pglite');
  });

  it('names every bad variable, what it must be, and what it got', () => {
    let error: unknown;
    try {
      loadConfig({ SIYU_PORT: 'eighty', SIYU_DATABASE_URL: 'mysql://x', SIYU_LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain('SIYU_PORT must be a whole number (got "eighty")');
    expect(message).toContain('SIYU_DATABASE_URL must be a PostgreSQL URL');
    expect(message).toContain('(got "mysql://x")');
    expect(message).toContain('SIYU_LOG_LEVEL');
    expect(message).toContain('Fix the environment variables');
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ SIYU_PORT: '70000' })).toThrow(/SIYU_PORT must be between 1 and 65535/);
  });

  it('takes a request timeout in milliseconds, at least a second', () => {
    expect(loadConfig({ SIYU_REQUEST_TIMEOUT_MS: '600000' }).requestTimeoutMs).toBe(600_000);
    expect(() => loadConfig({ SIYU_REQUEST_TIMEOUT_MS: '5' })).toThrow(/SIYU_REQUEST_TIMEOUT_MS must be at least 1000/);
  });
});

describe('log format and demo', () => {
  it('takes the log format: auto, json or pretty', () => {
    expect(loadConfig({ SIYU_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ SIYU_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ SIYU_LOG_FORMAT: 'text' })).toThrow(/SIYU_LOG_FORMAT must be auto, json or pretty \(got "text"\)/);
  });

  it('writes the demo on the embedded store by default, on PostgreSQL only when asked', () => {
    const url = 'postgres://u:p@db:5432/siyu';
    expect(loadConfig({}).demo?.enabled).toBe(true);
    expect(loadConfig({ SIYU_DEMO: 'off' }).demo?.enabled).toBe(false);
    expect(loadConfig({ SIYU_DATABASE_URL: url }).demo?.enabled).toBe(false);
    expect(loadConfig({ SIYU_DATABASE_URL: url, SIYU_DEMO: 'auto' }).demo?.enabled).toBe(false);
    expect(loadConfig({ SIYU_DATABASE_URL: url, SIYU_DEMO: 'on' }).demo?.enabled).toBe(true);
    expect(() => loadConfig({ SIYU_DEMO: 'yes' })).toThrow(/SIYU_DEMO must be auto, on or off \(got "yes"\)/);
  });

  it('takes the demo size, at least 100 people', () => {
    expect(loadConfig({ SIYU_DEMO_PEOPLE: '500' }).demo).toEqual({ enabled: true, people: 500 });
    expect(() => loadConfig({ SIYU_DEMO_PEOPLE: '99' })).toThrow(/SIYU_DEMO_PEOPLE must be at least 100 \(got "99"\)/);
    expect(() => loadConfig({ SIYU_DEMO_PEOPLE: 'many' })).toThrow(/SIYU_DEMO_PEOPLE must be a whole number of people, e.g. 20000 \(got "many"\)/);
    expect(() => loadConfig({ SIYU_DEMO_PEOPLE: '2000.5' })).toThrow(/SIYU_DEMO_PEOPLE must be a whole number/);
  });
});

describe('configuration mistakes', () => {
  it('refuses a misspelt SIYU_ variable instead of ignoring it', () => {
    expect(() => loadConfig({ SIYU_DATABSE_URL: 'postgres://x@h/db' })).toThrow(/SIYU_DATABSE_URL is not a Siyu setting; known settings: .*SIYU_DATABASE_URL/);
  });
  it('ignores test and benchmark variables', () => {
    expect(loadConfig({ SIYU_TEST_DATABASE_URL: 'postgres://x@h/db', SIYU_BENCH_DATABASE_URL: 'x' }).store.engine).toBe('pglite');
  });
  it('never prints a password back', () => {
    expect(() => loadConfig({ SIYU_DATABASE_URL: 'mysql://siyu:hunter2@db/siyu' })).toThrow(/mysql:\/\/siyu:\*\*\*@db\/siyu/);
    try {
      loadConfig({ SIYU_DATABASE_URL: 'mysql://siyu:hunter2@db/siyu' });
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
  });
  it('explains a bad pool size', () => {
    expect(() => loadConfig({ SIYU_PG_POOL_MAX: 'abc' })).toThrow(/SIYU_PG_POOL_MAX must be a whole number of connections, e.g. 10 \(got "abc"\)/);
  });
});
