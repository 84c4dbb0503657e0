import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';
import { decryptSecret, encryptSecret } from './secrets.js';

const key = randomBytes(32);

describe('stored platform secrets (AES-256-GCM under SIYU_SECRET_KEY)', () => {
  it('round-trips, never stores the plaintext and differs on every encryption', () => {
    const a = encryptSecret(key, 'oe-token-123', 'lead_connectors/t1/ocean_engine/default');
    const b = encryptSecret(key, 'oe-token-123', 'lead_connectors/t1/ocean_engine/default');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('oe-token-123');
    expect(a).not.toBe(b);
    expect(decryptSecret(key, a, 'lead_connectors/t1/ocean_engine/default')).toBe('oe-token-123');
  });

  it('does not decrypt under another key or for another row', () => {
    const stored = encryptSecret(key, 'oe-token-123', 'lead_connectors/t1/ocean_engine/default');
    expect(() => decryptSecret(randomBytes(32), stored, 'lead_connectors/t1/ocean_engine/default')).toThrow(/does not decrypt with this SIYU_SECRET_KEY/);
    expect(() => decryptSecret(key, stored, 'lead_connectors/t2/ocean_engine/default')).toThrow(AppError);
  });

  it('refuses to store or read a secret without a key, saying what to set', () => {
    const err = (() => {
      try {
        encryptSecret(undefined, 'x', 'c');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'unavailable', statusCode: 503 });
    expect(String(err)).toContain('SIYU_SECRET_KEY');
  });
});

describe('SIYU_SECRET_KEY configuration', () => {
  it('takes 32 bytes as hex or base64 and is absent by default', () => {
    const hex = key.toString('hex');
    expect(loadConfig({ SIYU_SECRET_KEY: hex }).secretKey).toEqual(key);
    expect(loadConfig({ SIYU_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
    expect(loadConfig({ SIYU_SECRET_KEY: key.toString('base64url') }).secretKey).toEqual(key);
    expect(loadConfig({}).secretKey).toBeUndefined();
  });

  it('refuses a short key without printing it back', () => {
    const short = randomBytes(16).toString('hex');
    let message = '';
    try {
      loadConfig({ SIYU_SECRET_KEY: short });
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('SIYU_SECRET_KEY must be 32 random bytes as 64 hex characters or base64');
    expect(message).not.toContain(short);
  });
});
