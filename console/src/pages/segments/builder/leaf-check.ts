import { conditionSchema } from '@contracts/segments';
import type { BuilderKey } from './messages';
import type { Condition } from './types';

/** The builder's label of a field a DSL issue points at (the first key of its path). */
const FIELD_LABELS: Record<string, BuilderKey> = {
  trait: 'trait',
  tag: 'tag',
  stages: 'stages',
  property: 'property',
  where: 'propertyFilters',
  value: 'value',
  values: 'values',
  from: 'from',
  to: 'to',
  days: 'days',
  daysAgo: 'daysAgo',
  at: 'date',
  event: 'event',
  count: 'count',
  window: 'window',
  series: 'series',
  modelYear: 'modelYearFrom',
  roles: 'roles',
  purchased: 'purchased',
  staffUserId: 'staff',
  appId: 'appId',
  sourceIds: 'sources',
  sourceKinds: 'sourceKinds',
  domainClasses: 'domainClasses',
};

export interface LeafProblem {
  field: BuilderKey | null;
  /** The DSL's own message (English), for the tooltip and for problems without a field. */
  message: string;
  /** A required value that is simply missing (an empty text or list). */
  missing: boolean;
}

function fieldOf(c: Condition, key: PropertyKey | undefined): BuilderKey | null {
  if (key === 'model') return c.type === 'stage' ? 'stageModel' : 'model';
  return typeof key === 'string' ? (FIELD_LABELS[key] ?? null) : null;
}

/** What is wrong with one non-group condition on its own, if anything. */
export function leafProblem(c: Condition): LeafProblem | null {
  const res = conditionSchema.safeParse(c);
  if (res.success) return null;
  const issue = res.error.issues[0];
  if (!issue) return null;
  const key = issue.path[0];
  const raw: unknown = Object.entries(c).find(([k]) => k === key)?.[1];
  const missing = raw === '' || (Array.isArray(raw) && raw.length === 0);
  return { field: fieldOf(c, key), message: issue.message, missing };
}
