import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { parseVin, requireVin, vinCheckDigit } from './vin.js';

describe('VIN (ISO 3779 / GB 16735)', () => {
  it('accepts VINs whose check digit is right, in canonical upper case', () => {
    expect(parseVin('1M8GDM9AXKP042788')).toEqual({ ok: true, vin: '1M8GDM9AXKP042788' }); // check digit X
    expect(parseVin('5gzcz43d13s812715')).toEqual({ ok: true, vin: '5GZCZ43D13S812715' });
    expect(parseVin(' 11111111111111111 ')).toEqual({ ok: true, vin: '11111111111111111' });
  });

  it('computes the check digit from the other characters', () => {
    expect(vinCheckDigit('1M8GDM9A_KP042788')).toBe('X');
    expect(vinCheckDigit('5GZCZ43D_3S812715')).toBe('1');
  });

  it('names what is wrong: length, alphabet, check digit', () => {
    expect(parseVin('1M8GDM9AXKP04278')).toMatchObject({ ok: false, problem: 'length' });
    expect(parseVin('1M8GDM9AXKP0427O8')).toMatchObject({ ok: false, problem: 'alphabet' }); // letter O
    expect(parseVin('IM8GDM9AXKP042788')).toMatchObject({ ok: false, problem: 'alphabet' });
    const wrong = parseVin('1M8GDM9A1KP042788');
    expect(wrong).toMatchObject({ ok: false, problem: 'check_digit' });
    expect(wrong.ok ? '' : wrong.message).toContain('should be X, not 1');
  });

  it('requireVin throws a 400 naming the field', () => {
    let error: unknown;
    try {
      requireVin('LSVAU2180N218329', 'properties.vin');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_request', statusCode: 400, details: { field: 'properties.vin', problem: 'length' } });
  });
});
