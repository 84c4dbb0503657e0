import { describe, expect, it } from 'vitest';
import { IdentityGraph } from './graph.js';
import { BUILT_IN_TYPES, type Identifier, type IdentityConfig } from './types.js';

const config: IdentityConfig = { types: new Map(BUILT_IN_TYPES.map((t) => [t.type, t])), blocklist: new Set(), traitStrategies: new Map() };

function graph() {
  let n = 0;
  return new IdentityGraph(config, () => `p${++n}`);
}

const uid = (value: string): Identifier => ({ type: 'user_id', scope: '', value });
const anon = (value: string): Identifier => ({ type: 'anonymous_id', scope: '', value });
const phone = (value: string): Identifier => ({ type: 'phone', scope: '', value });
const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000);
const ctx = (d: number, messageId = `m${d}`) => ({ messageId, at: day(d), sourceId: 's' });

describe('IdentityGraph.resolveEvent', () => {
  it('gives anonymous history to the profile that identifies', () => {
    const g = graph();
    const a = g.resolveEvent([anon('a1')], ctx(0), null);
    const b = g.resolveEvent([anon('a1'), uid('u1')], ctx(1), { name: 'Wang' });
    expect(b).toBe(a);
    expect(g.holderOf(uid('u1'))).toBe(a);
    expect(g.profiles.get(a!)!.traits.traits).toEqual({ name: 'Wang' });
  });

  it('merges two profiles bridged by an event; the older survives and the merge is logged', () => {
    const g = graph();
    const a = g.resolveEvent([anon('a1')], ctx(0), null)!;
    const b = g.resolveEvent([uid('u1')], ctx(1), null)!;
    expect(g.resolveEvent([uid('u1'), anon('a1')], ctx(2), null)).toBe(a);
    expect(g.finalId(b)).toBe(a);
    expect(g.changes.log).toMatchObject([{ kind: 'merge', profilesBefore: [b, a], profileAfter: a, messageId: 'm2' }]);
  });

  it('never joins two user ids, and never lets a shared anonymous id join two phone owners', () => {
    const g = graph();
    const p1 = g.resolveEvent([anon('tablet'), uid('v1')], ctx(0), null)!;
    const p2 = g.resolveEvent([anon('tablet'), uid('v2')], ctx(1), null)!;
    expect(p2).not.toBe(p1);
    expect(g.holderOf(anon('tablet'))).toBe(p1);
    const p3 = g.resolveEvent([anon('tablet'), phone('+8613412340003')], ctx(2), null)!;
    const p4 = g.resolveEvent([anon('tablet'), phone('+8613412340004')], ctx(3), null)!;
    // p3: the tablet's profile has no phone yet, so the phone joins it; p4's phone may not.
    expect(p3).toBe(p1);
    expect(p4).not.toBe(p1);
    expect(g.changes.log.map((e) => e.reason)).toEqual(['single_value_conflict:user_id', 'priority_conflict:phone']);
  });

  it('caps identifiers per profile', () => {
    const g = graph();
    const p = g.resolveEvent([uid('u1'), phone('+8613412340001')], ctx(0), null)!;
    g.resolveEvent([uid('u1'), phone('+8613412340002')], ctx(1), null);
    g.resolveEvent([uid('u1'), phone('+8613412340003')], ctx(2), null);
    g.resolveEvent([uid('u1'), phone('+8613412340004')], ctx(3), null);
    expect(g.profiles.get(p)!.idents.get('phone')!.size).toBe(3);
    expect(g.holderOf(phone('+8613412340004'))).toBeUndefined();
    expect(g.changes.log.at(-1)).toMatchObject({ kind: 'blocked_merge', reason: 'cap_exceeded:phone' });
  });

  it('moves a recycled phone number to its new owner after reassignAfterDays', () => {
    const g = graph();
    const old = g.resolveEvent([uid('old'), phone('+8613412341234')], ctx(0), null)!;
    const recent = g.resolveEvent([uid('sister'), phone('+8613412341234')], ctx(30), null)!;
    expect(g.holderOf(phone('+8613412341234'))).toBe(old); // shared in the family: stays, blocked
    const fresh = g.resolveEvent([uid('new'), phone('+8613412341234')], ctx(400), null)!;
    expect(g.holderOf(phone('+8613412341234'))).toBe(fresh);
    expect(new Set([old, recent, fresh]).size).toBe(3);
    expect(g.changes.log.map((e) => e.kind)).toEqual(['blocked_merge', 'reassign']);
  });

  it('keeps scoped values apart', () => {
    const g = graph();
    const a = g.resolveEvent([{ type: 'wechat_openid', scope: 'wxA', value: 'o1' }], ctx(0), null);
    const b = g.resolveEvent([{ type: 'wechat_openid', scope: 'wxB', value: 'o1' }], ctx(1), null);
    expect(a).not.toBe(b);
  });

  it('combines traits by strategy on merge', () => {
    const g = new IdentityGraph({ ...config, traitStrategies: new Map([['tags', 'union'], ['firstTouch', 'first']]) }, (() => { let n = 0; return () => `q${++n}`; })());
    const a = g.resolveEvent([anon('a')], ctx(0), null)!;
    g.resolveEvent([anon('a')], ctx(5), { name: 'A', tags: ['x'], firstTouch: 'douyin' });
    g.resolveEvent([uid('u')], ctx(3), { name: 'U', tags: ['y'], firstTouch: 'website' });
    g.resolveEvent([uid('u'), anon('a')], ctx(6), null);
    expect(g.profiles.get(a)!.traits.traits).toEqual({ name: 'A', tags: ['x', 'y'], firstTouch: 'website' });
  });
});
