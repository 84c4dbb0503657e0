import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './errors.js';

/**
 * Third-party credentials (an Ocean Engine access token, a WeCom app secret, token and
 * EncodingAESKey) are stored encrypted with AES-256-GCM under the deployment's SIYU_SECRET_KEY. The
 * stored text is `v1.<iv>.<tag>.<ciphertext>` (base64url); the additional authenticated data binds it
 * to its row (tenant, connector, field), so a ciphertext copied to another row or field does not decrypt.
 */
const VERSION = 'v1';
const IV_BYTES = 12;

export const NO_SECRET_KEY_MESSAGE =
  'this Siyu has no SIYU_SECRET_KEY, so it cannot store platform credentials; set SIYU_SECRET_KEY to 32 random bytes ' +
  '(e.g. `openssl rand -base64 32`) on every server and worker process, restart, and send the configuration again';

function requireKey(key: Buffer | undefined): Buffer {
  if (!key || key.length !== 32) throw new AppError('unavailable', NO_SECRET_KEY_MESSAGE);
  return key;
}

export function encryptSecret(key: Buffer | undefined, plaintext: string, context: string): string {
  const k = requireKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', k, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The plaintext; throws `unavailable` when the key is missing or is not the one the secret was stored with. */
export function decryptSecret(key: Buffer | undefined, stored: string, context: string): string {
  const k = requireKey(key);
  const [version, iv, tag, body] = stored.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new AppError('unavailable', 'the stored credential is not in a format this Siyu reads; send the configuration again');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError(
      'unavailable',
      'the stored credential does not decrypt with this SIYU_SECRET_KEY (the key changed since it was stored); send the configuration again',
    );
  }
}
