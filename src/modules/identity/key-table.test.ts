import { describe, expect, it } from 'vitest';
import { KeyTable } from './key-table.js';

describe('KeyTable', () => {
  it('numbers keys in the order they are added and finds each again, through growth', () => {
    const t = new KeyTable();
    const keys: string[] = [];
    for (let i = 0; i < 120_000; i++) {
      const k = i % 7 === 0 ? `phone\u0001\u0001+86138${i}` : i % 7 === 1 ? `openid\u0001wx应用\u0001张${i}🚗` : `anonymous_id\u0001\u0001${'x'.repeat(i % 300)}${i}`;
      keys.push(k);
      expect(t.add(k)).toBe(i);
    }
    expect(t.count).toBe(keys.length);
    keys.forEach((k, i) => {
      expect(t.find(k)).toBe(i);
      expect(t.key(i)).toBe(k);
    });
    // Adding again changes nothing; near misses are not found.
    expect(t.add(keys[5]!)).toBe(5);
    expect(t.count).toBe(keys.length);
    expect(t.find(`${keys[5]!}x`)).toBe(-1);
    expect(t.find(keys[5]!.slice(0, -1))).toBe(-1);
    expect(t.find('')).toBe(-1);
  });
});
