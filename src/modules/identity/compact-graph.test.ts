import { describe, expect, it } from 'vitest';
import { CompactGraph } from './compact-graph.js';
import { IdentityGraph } from './graph.js';
import { BUILT_IN_TYPES, identifierKey, type Identifier, type IdentityConfig, type TraitStrategy } from './types.js';
import { Rng } from '../../testing/fuzz/rng.js';

const strategies = new Map<string, TraitStrategy>([
  ['firstSource', 'first'],
  ['score', 'max'],
  ['interests', 'union'],
]);
const config: IdentityConfig = { types: new Map(BUILT_IN_TYPES.map((t) => [t.type, t])), blocklist: new Set(), traitStrategies: strategies };

interface Ev {
  ids: Identifier[];
  at: number;
  traits: Record<string, unknown> | null;
}

/**
 * Streams small enough that identifiers collide a lot: shared devices (anonymous ids), phones shared,
 * recycled after 180 days, several user ids per device, e-mails, openids under two app ids, traits
 * under every strategy, events out of time order.
 */
function stream(seed: number, n: number): Ev[] {
  const r = Rng.stream(seed);
  const pick = (k: number) => Math.floor(r() * k);
  const start = Date.UTC(2025, 0, 1);
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const ids: Identifier[] = [];
    const era = Math.floor((i * 6) / n);
    if (era >= 2 && pick(12) === 0) {
      // A new customer with a number last used two eras (about 300 days) ago: recycled.
      ids.push({ type: 'user_id', scope: '', value: `new${i}` }, { type: 'phone', scope: '', value: `+86139${era - 2}${String(pick(8)).padStart(7, '0')}` });
    }
    const k = 1 + pick(4);
    for (let j = 0; j < k; j++) {
      const x = pick(10);
      if (x < 3) ids.push({ type: 'anonymous_id', scope: '', value: `a${pick(60)}` });
      else if (x < 5) ids.push({ type: 'user_id', scope: '', value: `u${pick(40)}` });
      else if (x < 6) ids.push({ type: 'phone', scope: '', value: `+86138${String(pick(30)).padStart(8, '0')}` });
      else if (x < 7) ids.push({ type: 'phone', scope: '', value: `+86139${era}${String(pick(8)).padStart(7, '0')}` });
      else if (x < 8) ids.push({ type: 'email', scope: '', value: `e${pick(25)}@x.cn` });
      else if (x < 9) ids.push({ type: 'wechat_openid', scope: pick(2) === 0 ? 'wxA' : 'wxB', value: `o${pick(30)}` });
      else ids.push({ type: 'phone_hash', scope: 'autohome', value: `h${pick(20)}` });
    }
    // Mostly forward in time with jumps of months (so phones get recycled), sometimes late arrivals.
    const at = start + Math.floor((i / n) * 900 * 86_400_000) - (pick(10) === 0 ? pick(200) * 86_400_000 : 0) + pick(3) * 1000;
    const traits =
      pick(3) === 0
        ? { name: `n${pick(5)}`, firstSource: `s${pick(4)}`, score: pick(100), interests: [`i${pick(6)}`], ...(pick(4) === 0 ? { city: null } : {}) }
        : null;
    out.push({ ids, at, traits });
  }
  return out;
}

/** Both graphs' final state in comparable form: clusters as sets of identifier keys. */
function compare(events: Ev[]) {
  let next = 0;
  const a = new IdentityGraph(config, () => String(++next));
  const b = new CompactGraph(config);
  const tempA: Array<string | null> = [];
  const tempB: number[] = [];
  let reassignedA = 0;
  for (const e of events) {
    tempA.push(a.resolveEvent(e.ids, { messageId: null, at: new Date(e.at), sourceId: 'src' }, e.traits));
    tempB.push(b.resolveEvent(e.ids, e.at, 'src', e.traits));
  }
  reassignedA = a.changes.reassigned.length;
  // Temporary ids are drawn in the same order by both: they must agree one to one.
  expect(b.profileCount).toBe(next);
  tempA.forEach((t, i) => expect(t === null ? 0 : Number(t)).toBe(tempB[i]));
  for (let p = 1; p <= next; p++) expect(b.find(p)).toBe(Number(a.finalId(String(p))));
  for (const [id, node] of a.profiles) {
    const p = Number(id);
    expect(b.isRoot(p)).toBe(true);
    expect(b.firstSeen(p)).toBe(node.firstSeen);
    expect(b.lastSeen(p)).toBe(node.lastSeen);
    expect(b.traitState(p)).toEqual(node.traits);
  }
  expect(b.identifierCount).toBe(a.links.size);
  for (const [key, link] of a.links) {
    const i = b.ordinalOf(key);
    expect(b.holderOfOrdinal(i)).toBe(Number(link.profileId));
    expect([b.identFirst(i), b.identLast(i)]).toEqual([link.firstSeen, link.lastSeen]);
  }
  const kinds = (k: string) => a.changes.log.filter((l) => l.kind === k).length;
  expect(b.merges).toBe(kinds('merge'));
  expect(b.blocked).toBe(kinds('blocked_merge'));
  expect(b.reassigned.map((x) => [b.keyOf(x.ident), b.find(x.from), x.firstSeen, x.lastSeen, x.at])).toEqual(
    a.changes.reassigned.map((x) => [x.key, Number(a.finalId(x.from)), x.link.firstSeen, x.link.lastSeen, x.at]),
  );
  return { profiles: a.profiles.size, merges: kinds('merge'), blocked: kinds('blocked_merge'), reassigned: reassignedA };
}

describe('CompactGraph', () => {
  it('resolves exactly as IdentityGraph on random streams (merges, blocked merges, recycled phones, traits)', () => {
    const seen = { merges: 0, blocked: 0, reassigned: 0 };
    for (let seed = 1; seed <= 25; seed++) {
      const r = compare(stream(seed, 1500));
      seen.merges += r.merges;
      seen.blocked += r.blocked;
      seen.reassigned += r.reassigned;
    }
    // The streams exercise every rule.
    expect(seen.merges).toBeGreaterThan(100);
    expect(seen.blocked).toBeGreaterThan(100);
    expect(seen.reassigned).toBeGreaterThan(5);
  });

  it('breaks first-seen ties between profiles by their ids as text, as IdentityGraph does', () => {
    const at = Date.UTC(2026, 0, 1);
    const events: Ev[] = [];
    for (let i = 0; i < 12; i++) events.push({ ids: [{ type: 'anonymous_id', scope: '', value: `t${i}` }], at, traits: { name: `n${i}` } });
    // Joins profile 10 with 9: "10" < "9" as text.
    events.push({ ids: [{ type: 'anonymous_id', scope: '', value: 't9' }, { type: 'anonymous_id', scope: '', value: 't8' }], at, traits: null });
    events.push({ ids: [{ type: 'anonymous_id', scope: '', value: 't9' }, { type: 'anonymous_id', scope: '', value: 't10' }], at, traits: null });
    compare(events);
  });

  it('answers who holds an identifier', () => {
    const g = new CompactGraph(config);
    const u: Identifier = { type: 'user_id', scope: '', value: 'u1' };
    expect(g.holderOf(u)).toBeUndefined();
    const p = g.resolveEvent([u], Date.UTC(2026, 0, 1), 's', null);
    expect(g.holderOf(u)).toBe(p);
    expect(g.keyOf(g.ordinalOf(identifierKey(u)))).toBe(identifierKey(u));
    expect(g.ordinalOf(identifierKey({ ...u, value: 'u2' }))).toBe(-1);
  });
});
