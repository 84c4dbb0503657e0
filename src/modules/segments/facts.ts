import type { Condition, ValueTest } from '../../contracts/segments.js';

/** What a definition refers to and whether its answer moves with the clock. */
export interface ConditionFacts {
  /** Relative windows (last / next N days, N days ago): a scheduled pass must re-evaluate it. */
  timeDependent: boolean;
  /** Tag ids with the JSON path of the first node naming each. */
  tags: Map<string, string>;
  /** Stage model keys → stage keys named, with the path of the first node naming the model. */
  stages: Map<string, { path: string; stages: Set<string> }>;
}

const RELATIVE_OPS = new Set<ValueTest['op']>(['within_last_days', 'within_next_days']);
const relative = (t: { op: ValueTest['op'] } | undefined) => t !== undefined && RELATIVE_OPS.has(t.op);

function walk(c: Condition, path: string, f: ConditionFacts): void {
  switch (c.type) {
    case 'and':
    case 'or':
      c.conditions.forEach((x, i) => walk(x, `${path}.conditions[${i}]`, f));
      return;
    case 'not':
      walk(c.condition, `${path}.condition`, f);
      return;
    case 'trait':
      if (relative(c)) f.timeDependent = true;
      return;
    case 'event':
      if ((c.window && 'lastDays' in c.window) || c.where?.some(relative)) f.timeDependent = true;
      return;
    case 'last_event':
      if (c.daysAgo !== undefined || c.where?.some(relative)) f.timeDependent = true;
      return;
    case 'tag':
      if (!f.tags.has(c.tag)) f.tags.set(c.tag, path);
      return;
    case 'stage': {
      const entry = f.stages.get(c.model) ?? { path, stages: new Set<string>() };
      for (const s of c.stages) entry.stages.add(s);
      f.stages.set(c.model, entry);
      return;
    }
    case 'vehicle':
      // "Current" relations are those not ended by now: a relation ending in the future is a timer too.
      if (relative(c.purchased)) f.timeDependent = true;
      return;
    case 'first_touch':
      if (relative(c.at)) f.timeDependent = true;
      return;
    default:
      return;
  }
}

export function conditionFacts(condition: Condition, path = 'definition.condition'): ConditionFacts {
  const f: ConditionFacts = { timeDependent: false, tags: new Map(), stages: new Map() };
  walk(condition, path, f);
  return f;
}
