import { isRecord } from '../../platform/json.js';
import type { TraitStrategy } from './types.js';

/**
 * A profile's traits and, per trait, when and from which source it last changed. Strategies (per
 * tenant and trait, default `latest`):
 * - latest: the value with the latest event time wins (a late-arriving older event changes nothing);
 * - first: the value with the earliest event time wins;
 * - max: the greatest value (numbers numerically, strings lexically; ISO dates sort as strings);
 * - union: arrays are combined without duplicates (a scalar counts as a one-element array).
 * Applying events in any order and merging two profiles give the same result as replaying all their
 * events, which is what a split and a rebuild do.
 */
export interface TraitMeta {
  /** Event time of the value kept (ISO). */
  at: string;
  /** Source id of the event that set it. */
  source: string;
}

export interface TraitState {
  traits: Record<string, unknown>;
  meta: Record<string, TraitMeta>;
}

export const emptyTraits = (): TraitState => ({ traits: {}, meta: {} });

/** A trait state from stored JSON (what is not a trait state is left out). */
export function traitStateOf(traits: unknown, meta: unknown): TraitState {
  const m: Record<string, TraitMeta> = {};
  if (isRecord(meta)) {
    for (const [k, v] of Object.entries(meta)) {
      if (isRecord(v) && typeof v.at === 'string') m[k] = { at: v.at, source: typeof v.source === 'string' ? v.source : '' };
    }
  }
  return { traits: isRecord(traits) ? { ...traits } : {}, meta: m };
}

const SKIPPED = new Set(['vin']);

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
}

function greater(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  if (typeof a === 'string' && typeof b === 'string') return a > b;
  return b === null || b === undefined ? a !== null && a !== undefined : false;
}

function union(a: unknown, b: unknown): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of [...asArray(a), ...asArray(b)]) {
    const k = JSON.stringify(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** Whether `incoming` (value, meta) replaces `current` under `strategy`; for union, the combined value. */
function combine(strategy: TraitStrategy, current: { value: unknown; meta: TraitMeta } | undefined, incoming: { value: unknown; meta: TraitMeta }) {
  if (!current) return strategy === 'union' ? { value: union([], incoming.value), meta: incoming.meta } : incoming;
  switch (strategy) {
    case 'first':
      return incoming.meta.at < current.meta.at ? incoming : current;
    case 'max':
      return greater(incoming.value, current.value) ? incoming : current;
    case 'union': {
      const later = incoming.meta.at > current.meta.at ? incoming.meta : current.meta;
      return { value: union(current.value, incoming.value), meta: later };
    }
    default:
      return incoming.meta.at >= current.meta.at ? incoming : current;
  }
}

/** Applies one event's traits; returns whether anything changed. */
export function applyTraits(state: TraitState, incoming: Record<string, unknown>, at: Date, source: string, strategies: ReadonlyMap<string, TraitStrategy>): boolean {
  const meta: TraitMeta = { at: at.toISOString(), source };
  let changed = false;
  for (const [name, value] of Object.entries(incoming)) {
    if (SKIPPED.has(name) || value === undefined) continue;
    const current = name in state.meta ? { value: state.traits[name], meta: state.meta[name]! } : undefined;
    const next = combine(strategies.get(name) ?? 'latest', current, { value, meta });
    if (next !== current && (current === undefined || JSON.stringify(next.value) !== JSON.stringify(current.value) || next.meta.at !== current.meta.at)) {
      state.traits[name] = next.value;
      state.meta[name] = next.meta;
      changed = true;
    }
  }
  return changed;
}

/** The traits of two profiles being merged, each trait combined under its strategy. */
export function mergeTraits(a: TraitState, b: TraitState, strategies: ReadonlyMap<string, TraitStrategy>): TraitState {
  const out: TraitState = { traits: { ...a.traits }, meta: { ...a.meta } };
  for (const [name, meta] of Object.entries(b.meta)) {
    const current = name in out.meta ? { value: out.traits[name], meta: out.meta[name]! } : undefined;
    const next = combine(strategies.get(name) ?? 'latest', current, { value: b.traits[name], meta });
    out.traits[name] = next.value;
    out.meta[name] = next.meta;
  }
  return out;
}
