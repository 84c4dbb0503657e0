import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json.js';

describe('jsonEqual', () => {
  it('compares parsed JSON values whatever the key order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, JSON.parse('{"b":[1,{"c":"x"}],"a":1}'))).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(jsonEqual({ a: null }, { b: null })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual(1e21, JSON.parse('1000000000000000000000'))).toBe(true);
  });
});
