import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/** A bearer secret: `prefix_` + 32 random bytes in base64url (43 characters). */
export function newSecret(prefix: 'wk' | 'at' | 'st'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Secrets are 256-bit random values, so a fast hash is enough to make a stored hash useless to an
 * attacker (no dictionary to try); a slow KDF would only cost us on every ingest request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** What a person may see of a secret afterwards, to tell keys apart. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}
