import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { SECRET_KEY_FILE, withEmbeddedSecretKey } from './secret-key.js';

const base: Omit<Config, 'store'> = { host: '127.0.0.1', port: 0, logLevel: 'info', shutdownGraceMs: 1000, requestTimeoutMs: 300_000, trustProxy: false, worker: { enabled: false, pollMs: 1000 } };

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('info', { write: (line: string) => void lines.push(line) }) };
}

describe('the secret key of the embedded store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated into the data folder (mode 0600) on the first start, said once, and reused later', () => {
    const dataDir = join(dir, 'data');
    const first = capture();
    const config = withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir } }, first.logger);
    const path = join(dataDir, SECRET_KEY_FILE);
    expect(config.secretKey).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(config.secretKey);
    expect(first.lines.join('')).toContain('generated SIYU_SECRET_KEY');
    expect(first.lines.join('')).toContain(path);
    expect(first.lines.join('')).not.toContain(config.secretKey?.toString('base64'));

    const second = capture();
    const again = withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir } }, second.logger);
    expect(again.secretKey).toEqual(config.secretKey);
    expect(second.lines).toEqual([]);
  });

  it('is not generated when SIYU_SECRET_KEY is set, nor for PostgreSQL', () => {
    const key = randomBytes(32);
    const dataDir = join(dir, 'with-key');
    const { logger, lines } = capture();
    expect(withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir }, secretKey: key }, logger).secretKey).toBe(key);
    expect(existsSync(join(dataDir, SECRET_KEY_FILE))).toBe(false);
    const pg = withEmbeddedSecretKey({ ...base, store: { engine: 'postgres', url: 'postgres://x@127.0.0.1/x', poolMax: 1 } }, logger);
    expect(pg.secretKey).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('refuses a damaged key file instead of replacing it (the stored credentials need that key)', () => {
    const dataDir = join(dir, 'damaged');
    withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir } }, capture().logger);
    writeFileSync(join(dataDir, SECRET_KEY_FILE), 'not a key\n');
    expect(() => withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir } }, capture().logger)).toThrow(/does not hold a 32-byte key/);
    expect(readFileSync(join(dataDir, SECRET_KEY_FILE), 'utf8')).toBe('not a key\n');
  });

  it('is a key for the life of the process for an in-memory store (no file)', () => {
    const config = withEmbeddedSecretKey({ ...base, store: { engine: 'pglite', dataDir: 'memory://' } }, capture().logger);
    expect(config.secretKey).toHaveLength(32);
  });
});
