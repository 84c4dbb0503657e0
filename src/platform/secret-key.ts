import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** The file in an embedded store's data folder that holds its generated SIYU_SECRET_KEY. */
export const SECRET_KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${path} does not hold a 32-byte key in base64; restore it from a backup of the data folder, or set SIYU_SECRET_KEY to the key the stored credentials were encrypted with`);
  }
  return key;
}

/**
 * On the embedded store (PGlite) without SIYU_SECRET_KEY, the key that encrypts stored platform
 * credentials lives in the data folder: generated (32 random bytes, base64, mode 0600) on the first
 * start and read on every later one, so that a newcomer can connect a platform without setting up a
 * key. It travels with the data it protects: back the folder up as a whole. An in-memory store gets
 * a key for the life of the process. With SIYU_SECRET_KEY set, or on PostgreSQL (several processes
 * must share one key), the configuration is returned unchanged.
 */
export function withEmbeddedSecretKey(config: Config, logger: Logger): Config {
  if (config.secretKey || config.store.engine !== 'pglite') return config;
  const { dataDir } = config.store;
  if (dataDir.startsWith('memory://')) return { ...config, secretKey: randomBytes(KEY_BYTES) };
  const path = join(dataDir, SECRET_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing) return { ...config, secretKey: existing };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process wrote in the meantime (that one wins).
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const other = isErrno(err, 'EEXIST') ? readKeyFile(path) : null;
    if (other) return { ...config, secretKey: other };
    throw err;
  }
  // The mode given to writeFileSync is reduced by the umask; 0600 is what the key needs.
  chmodSync(path, 0o600);
  logger.info(
    { path },
    'generated SIYU_SECRET_KEY for the embedded store into the data folder (mode 0600): it encrypts stored platform credentials; keep it with the data (back up the folder as a whole)',
  );
  return { ...config, secretKey: key };
}
