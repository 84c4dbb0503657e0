import { describe, expect, it } from 'vitest';
import { isJunkIdentifier, normalizeEmail, normalizePhone } from './normalize.js';

describe('normalizePhone', () => {
  it('turns mainland mobiles into +86 E.164 from the ways people write them', () => {
    for (const raw of ['13412341234', '134 1234 1234', '134-1234-1234', '+86 134 1234 1234', '+86-13412341234', '008613412341234', '8613412341234', '(134)12341234']) {
      expect(normalizePhone(raw), raw).toEqual({ kind: 'phone', e164: '+8613412341234' });
    }
  });

  it('reads mainland landlines with their area code', () => {
    expect(normalizePhone('010-12345678')).toEqual({ kind: 'phone', e164: '+861012345678' });
    expect(normalizePhone('0755 1234 5678')).toEqual({ kind: 'phone', e164: '+8675512345678' });
    expect(normalizePhone('+86 10 1234 5678')).toEqual({ kind: 'phone', e164: '+861012345678' });
  });

  it('reads 400 / 800 service numbers (call centres)', () => {
    expect(normalizePhone('400-800-8888')).toEqual({ kind: 'phone', e164: '+864008008888' });
    expect(normalizePhone('800 123 4567')).toEqual({ kind: 'phone', e164: '+868001234567' });
  });

  it('keeps other countries in E.164', () => {
    expect(normalizePhone('+49 30 1234567')).toEqual({ kind: 'phone', e164: '+49301234567' });
    expect(normalizePhone('+852 9123 4567')).toEqual({ kind: 'phone', e164: '+85291234567' });
  });

  it('never treats a masked phone as a number', () => {
    expect(normalizePhone('134****1234')).toEqual({ kind: 'masked', raw: '134****1234' });
    expect(normalizePhone('134xxxx1234')).toMatchObject({ kind: 'masked' });
    expect(normalizePhone('+86 134****1234')).toMatchObject({ kind: 'masked' });
  });

  it('refuses what is not a phone, saying why', () => {
    for (const raw of ['12345', '23412341234', 'abc', '+0123', '1341234123', '134123412345']) {
      const r = normalizePhone(raw);
      expect(r.kind, raw).toBe('invalid');
      expect(r.kind === 'invalid' ? r.reason.length : 0).toBeGreaterThan(10);
    }
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases; refuses what is not an address', () => {
    expect(normalizeEmail('  Wang.Wei@Brand.COM ')).toBe('wang.wei@brand.com');
    expect(normalizeEmail('wang wei@brand.com')).toBeNull();
    expect(normalizeEmail('wangwei')).toBeNull();
  });
});

describe('isJunkIdentifier', () => {
  it('refuses the built-in junk values of any type', () => {
    for (const v of ['null', 'undefined', 'anonymous', '0', 'NULL', ' Unknown ']) expect(isJunkIdentifier('user_id', v), v).toBe(true);
    expect(isJunkIdentifier('phone', '+8613800138000')).toBe(true);
  });

  it('refuses one digit repeated', () => {
    expect(isJunkIdentifier('phone', '00000000000')).toBe(true);
    expect(isJunkIdentifier('member_id', '1111111')).toBe(true);
    expect(isJunkIdentifier('phone', '+8611111111111')).toBe(true);
  });

  it('keeps real values, and applies the tenant list', () => {
    expect(isJunkIdentifier('phone', '+8613412341234')).toBe(false);
    expect(isJunkIdentifier('user_id', 'u-1001')).toBe(false);
    expect(isJunkIdentifier('member_id', '1000001')).toBe(false);
    expect(isJunkIdentifier('phone', '+8640012345678', new Set(['+8640012345678']))).toBe(true);
  });
});
