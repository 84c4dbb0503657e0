import { sql, type RawBuilder } from 'kysely';
import type { Condition, PropertyFilter, ValueTest } from '../../contracts/segments.js';
import { AppError } from '../../platform/errors.js';

/**
 * The segment DSL compiled to one SQL boolean expression over `profiles p`. Every value and every name
 * is a bound parameter; the SQL text depends only on the shape of the definition.
 *
 * Two forms of the same predicate:
 * - `set`: each condition on related rows becomes `p.id IN (uncorrelated subquery)`, which PostgreSQL
 *   runs once as a hashed subplan wherever it sits in the boolean tree: for whole-tenant counts and
 *   refreshes.
 * - `row`: correlated `EXISTS` / counts that use the per-profile indexes: for a few thousand
 *   profiles at a time (the incremental refresh after new events).
 * Every leaf is null-free (`COALESCE(…, false)`), so `not` is an exact complement.
 */
export type CompileMode = 'set' | 'row';

export interface CompileContext {
  tenantId: string;
  now: Date;
  /** IANA zone in which date-only values ('2027-01-15') are read. */
  timeZone: string;
  mode: CompileMode;
}

type Expr = RawBuilder<unknown>;
type Path = readonly (string | number)[];

const DAY_MS = 86_400_000;
const TRUE = sql`true`;
const FALSE = sql`false`;

function pathText(path: Path): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

function invalid(path: Path, message: string): AppError {
  const at = pathText(path);
  return new AppError('invalid_request', `${at}: ${message}`, { issues: [{ path: at, message }] });
}

const iso = (d: Date) => d.toISOString();
const daysFrom = (ctx: CompileContext, days: number) => new Date(ctx.now.getTime() + days * DAY_MS);

/** A date-only value is midnight in the tenant's zone; a date-time is an instant. */
function timeParam(value: string, ctx: CompileContext): Expr {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? sql`(${value}::timestamp AT TIME ZONE ${ctx.timeZone})` : sql`${value}::timestamptz`;
}

function numberOrTime(value: number | string, ctx: CompileContext, num: Expr, time: Expr): { left: Expr; right: Expr } {
  return typeof value === 'number' ? { left: num, right: sql`${value}::numeric` } : { left: time, right: timeParam(value, ctx) };
}

const scalarText = (v: string | number | boolean) => String(v);

/** A value test on a jsonb value `j` (a trait, an event property). Null-free. */
function jsonTest(j: Expr, t: ValueTest, ctx: CompileContext): Expr {
  const text = sql`(${j} #>> '{}')`;
  const num = sql`siyu_num(${j})`;
  const time = sql`siyu_time(${text}, ${ctx.timeZone})`;
  const eq = (v: string | number | boolean): Expr => (typeof v === 'number' ? sql`${num} = ${v}::numeric` : sql`${text} = ${scalarText(v)}::text`);
  const anyOf = (values: readonly (string | number | boolean)[]): Expr => {
    const nums = values.filter((v): v is number => typeof v === 'number');
    const texts = values.filter((v) => typeof v !== 'number').map(scalarText);
    const parts: Expr[] = [];
    if (texts.length > 0) parts.push(sql`${text} IN (${sql.join(texts.map((v) => sql`${v}::text`))})`);
    if (nums.length > 0) parts.push(sql`${num} IN (${sql.join(nums.map((v) => sql`${v}::numeric`))})`);
    return sql`(${sql.join(parts, sql` OR `)})`;
  };
  const exists = sql`(jsonb_typeof(${j}) <> 'null' AND ${text} <> '')`;
  switch (t.op) {
    case 'eq':
      return sql`COALESCE(${eq(t.value)}, false)`;
    case 'neq':
      return sql`NOT COALESCE(${eq(t.value)}, false)`;
    case 'in':
      return sql`COALESCE(${anyOf(t.values)}, false)`;
    case 'not_in':
      return sql`NOT COALESCE(${anyOf(t.values)}, false)`;
    case 'contains':
      return sql`COALESCE(CASE jsonb_typeof(${j}) WHEN 'array' THEN ${j} @> jsonb_build_array(${t.value}::text)
        WHEN 'string' THEN strpos(lower(${text}), lower(${t.value}::text)) > 0 ELSE false END, false)`;
    case 'exists':
      return sql`COALESCE(${exists}, false)`;
    case 'not_exists':
      return sql`NOT COALESCE(${exists}, false)`;
    default:
      return orderTest(num, time, t, ctx);
  }
}

/** Ordering and date tests shared by json values and timestamp columns. Null-free. */
function orderTest(num: Expr, time: Expr, t: ValueTest, ctx: CompileContext): Expr {
  const cmp = (op: Expr, value: number | string): Expr => {
    const { left, right } = numberOrTime(value, ctx, num, time);
    return sql`${left} ${op} ${right}`;
  };
  switch (t.op) {
    case 'gt':
      return sql`COALESCE(${cmp(sql`>`, t.value)}, false)`;
    case 'gte':
      return sql`COALESCE(${cmp(sql`>=`, t.value)}, false)`;
    case 'lt':
      return sql`COALESCE(${cmp(sql`<`, t.value)}, false)`;
    case 'lte':
      return sql`COALESCE(${cmp(sql`<=`, t.value)}, false)`;
    case 'between':
      return sql`COALESCE(${cmp(sql`>=`, t.from)} AND ${cmp(sql`<=`, t.to)}, false)`;
    case 'within_last_days':
      return sql`COALESCE(${time} BETWEEN ${iso(daysFrom(ctx, -t.days))}::timestamptz AND ${iso(ctx.now)}::timestamptz, false)`;
    case 'within_next_days':
      return sql`COALESCE(${time} BETWEEN ${iso(ctx.now)}::timestamptz AND ${iso(daysFrom(ctx, t.days))}::timestamptz, false)`;
    case 'before':
      return sql`COALESCE(${time} < ${timeParam(t.value, ctx)}, false)`;
    case 'after':
      return sql`COALESCE(${time} >= ${timeParam(t.value, ctx)}, false)`;
    default:
      throw new AppError('internal', `orderTest: unexpected op ${t.op}`);
  }
}

/** A date test on a timestamptz column (purchase date, first touch). */
function columnTimeTest(column: Expr, t: ValueTest, ctx: CompileContext, path: Path): Expr {
  switch (t.op) {
    case 'exists':
      return sql`${column} IS NOT NULL`;
    case 'not_exists':
      return sql`${column} IS NULL`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof t.value === 'number') throw invalid([...path, 'value'], 'must be a date: this is a date field');
      return orderTest(column, column, t, ctx);
    case 'between':
      if (typeof t.from === 'number' || typeof t.to === 'number') throw invalid([...path, 'from'], 'must be dates: this is a date field');
      return orderTest(column, column, t, ctx);
    case 'within_last_days':
    case 'within_next_days':
    case 'before':
    case 'after':
      return orderTest(column, column, t, ctx);
    default:
      throw invalid([...path, 'op'], `${t.op} does not apply to a date; use before, after, gt, gte, lt, lte, between, within_last_days, within_next_days, exists or not_exists`);
  }
}

/** `base -> 'a' -> 'b'`, names bound as parameters. */
function jsonPath(base: Expr, dotted: string): Expr {
  return dotted.split('.').reduce<Expr>((acc, key) => sql`(${acc} -> ${key}::text)`, base);
}

function propertyFilters(filters: readonly PropertyFilter[] | undefined, ctx: CompileContext): Expr[] {
  return (filters ?? []).map((f) => jsonTest(jsonPath(sql`e.properties`, f.property), f, ctx));
}

/** `p.id IN (…)` in set mode, `EXISTS (… AND <col> = p.id)` in row mode. */
function related(ctx: CompileContext, from: Expr, profileColumn: Expr, where: readonly Expr[]): Expr {
  const conds = where.length > 0 ? sql.join(where, sql` AND `) : TRUE;
  return ctx.mode === 'set'
    ? sql`p.id IN (SELECT ${profileColumn} FROM ${from} WHERE ${conds})`
    : sql`EXISTS (SELECT 1 FROM ${from} WHERE ${conds} AND ${profileColumn} = p.id)`;
}

function eventWhere(c: Extract<Condition, { type: 'event' | 'last_event' }>, ctx: CompileContext): Expr[] {
  const where: Expr[] = [sql`e.tenant_id = ${ctx.tenantId}`, sql`e.profile_id IS NOT NULL`];
  if (c.event !== undefined) where.push(sql`e.event = ${c.event}::text`);
  if (c.type === 'event' && c.window) {
    if ('lastDays' in c.window) where.push(sql`e."timestamp" >= ${iso(daysFrom(ctx, -c.window.lastDays))}::timestamptz`);
    else {
      if (c.window.from !== undefined) where.push(sql`e."timestamp" >= ${timeParam(c.window.from, ctx)}`);
      if (c.window.to !== undefined) where.push(sql`e."timestamp" < ${timeParam(c.window.to, ctx)}`);
    }
  }
  return [...where, ...propertyFilters(c.where, ctx)];
}

function eventCondition(c: Extract<Condition, { type: 'event' }>, ctx: CompileContext): Expr {
  const where = eventWhere(c, ctx);
  const conds = sql.join(where, sql` AND `);
  const op = c.count?.op ?? 'at_least';
  const n = c.count?.value ?? 1;
  const performed = related(ctx, sql`events e`, sql`e.profile_id`, where);
  if (op === 'at_least' && n === 0) return TRUE;
  if (op === 'at_least' && n === 1) return performed;
  if ((op === 'at_most' || op === 'exactly') && n === 0) return sql`NOT ${performed}`;
  if (ctx.mode === 'row') {
    // Count no further than the comparison needs.
    const counted = sql`(SELECT count(*) FROM (SELECT 1 FROM events e WHERE ${conds} AND e.profile_id = p.id LIMIT ${n + 1}) c)`;
    const cmp = op === 'at_least' ? sql`>=` : op === 'at_most' ? sql`<=` : sql`=`;
    return sql`${counted} ${cmp} ${n}`;
  }
  if (op === 'at_most') return sql`p.id NOT IN (SELECT e.profile_id FROM events e WHERE ${conds} GROUP BY e.profile_id HAVING count(*) > ${n})`;
  const cmp = op === 'at_least' ? sql`>=` : sql`=`;
  return sql`p.id IN (SELECT e.profile_id FROM events e WHERE ${conds} GROUP BY e.profile_id HAVING count(*) ${cmp} ${n})`;
}

function lastEventCondition(c: Extract<Condition, { type: 'last_event' }>, ctx: CompileContext): Expr {
  const at = c.at !== undefined ? timeParam(c.at, ctx) : sql`${iso(daysFrom(ctx, -(c.daysAgo ?? 0)))}::timestamptz`;
  const where = eventWhere(c, ctx);
  if (c.op === 'after') return related(ctx, sql`events e`, sql`e.profile_id`, [...where, sql`e."timestamp" >= ${at}`]);
  const conds = sql.join(where, sql` AND `);
  return ctx.mode === 'set'
    ? sql`p.id IN (SELECT e.profile_id FROM events e WHERE ${conds} GROUP BY e.profile_id HAVING max(e."timestamp") < ${at})`
    : sql`COALESCE((SELECT max(e."timestamp") FROM events e WHERE ${conds} AND e.profile_id = p.id) < ${at}, false)`;
}

function stageCondition(c: Extract<Condition, { type: 'stage' }>, ctx: CompileContext): Expr {
  const stages = sql.join(c.stages.map((s) => sql`${s}::text`));
  if (c.at === undefined) {
    return related(ctx, sql`profile_stages ps`, sql`ps.profile_id`, [sql`ps.tenant_id = ${ctx.tenantId}`, sql`ps.model = ${c.model}::text`, sql`ps.stage IN (${stages})`]);
  }
  const at = timeParam(c.at, ctx);
  const scope = sql`st.tenant_id = ${ctx.tenantId} AND st.model = ${c.model}::text AND st.at <= ${at}`;
  return ctx.mode === 'set'
    ? sql`p.id IN (SELECT s.profile_id FROM (SELECT DISTINCT ON (st.profile_id) st.profile_id, st.to_stage FROM stage_transitions st
        WHERE ${scope} ORDER BY st.profile_id, st.at DESC, st.id DESC) s WHERE s.to_stage IN (${stages}))`
    : sql`COALESCE((SELECT st.to_stage FROM stage_transitions st WHERE ${scope} AND st.profile_id = p.id ORDER BY st.at DESC, st.id DESC LIMIT 1) IN (${stages}), false)`;
}

function vehicleCondition(c: Extract<Condition, { type: 'vehicle' }>, ctx: CompileContext, path: Path): Expr {
  const where: Expr[] = [sql`vr.tenant_id = ${ctx.tenantId}`];
  if (!c.includePast) where.push(sql`(vr.valid_to IS NULL OR vr.valid_to > ${iso(ctx.now)}::timestamptz)`);
  if (c.roles) where.push(sql`vr.role IN (${sql.join(c.roles.map((r) => sql`${r}::text`))})`);
  if (c.series) where.push(sql`v.series IN (${sql.join(c.series.map((s) => sql`${s}::text`))})`);
  if (c.model) where.push(sql`v.model IN (${sql.join(c.model.map((s) => sql`${s}::text`))})`);
  if (c.modelYear?.from !== undefined) where.push(sql`v.model_year >= ${c.modelYear.from}::int`);
  if (c.modelYear?.to !== undefined) where.push(sql`v.model_year <= ${c.modelYear.to}::int`);
  if (c.purchased) {
    where.push(sql`vr.role IN ('buyer', 'owner')`, columnTimeTest(sql`vr.valid_from`, c.purchased, ctx, [...path, 'purchased']));
  }
  return related(ctx, sql`vehicle_relations vr JOIN vehicles v ON v.tenant_id = vr.tenant_id AND v.vin = vr.vin`, sql`vr.profile_id`, where);
}

function rollup(ctx: CompileContext, where: readonly Expr[]): Expr {
  return related(ctx, sql`profile_rollups r`, sql`r.profile_id`, [sql`r.tenant_id = ${ctx.tenantId}`, ...where]);
}

function compileNode(c: Condition, ctx: CompileContext, path: Path): Expr {
  switch (c.type) {
    case 'and':
      return c.conditions.length === 0 ? TRUE : sql`(${sql.join(c.conditions.map((x, i) => compileNode(x, ctx, [...path, 'conditions', i])), sql` AND `)})`;
    case 'or':
      return c.conditions.length === 0 ? FALSE : sql`(${sql.join(c.conditions.map((x, i) => compileNode(x, ctx, [...path, 'conditions', i])), sql` OR `)})`;
    case 'not':
      return sql`NOT (${compileNode(c.condition, ctx, [...path, 'condition'])})`;
    case 'trait':
      return jsonTest(sql`(p.traits -> ${c.trait}::text)`, c, ctx);
    case 'event':
      return eventCondition(c, ctx);
    case 'last_event':
      return lastEventCondition(c, ctx);
    case 'tag': {
      const has = related(ctx, sql`profile_tags pt`, sql`pt.profile_id`, [sql`pt.tenant_id = ${ctx.tenantId}`, sql`pt.tag_id = ${c.tag}::uuid`]);
      return c.has ? has : sql`NOT ${has}`;
    }
    case 'stage':
      return stageCondition(c, ctx);
    case 'vehicle':
      return vehicleCondition(c, ctx, path);
    case 'wecom_friend':
      return rollup(ctx, [c.staffUserId !== undefined ? sql`${c.staffUserId}::text = ANY(r.wecom_staff)` : sql`cardinality(r.wecom_staff) > 0`]);
    case 'oa_follower':
      return rollup(ctx, [c.appId !== undefined ? sql`${c.appId}::text = ANY(r.oa_apps)` : sql`cardinality(r.oa_apps) > 0`]);
    case 'consent':
      return related(ctx, sql`consents cs`, sql`cs.profile_id`, [
        sql`cs.tenant_id = ${ctx.tenantId}`,
        sql`cs.channel = ${c.channel}::text`,
        sql`cs.purpose = ${c.purpose}::text`,
        sql`cs.state = ${c.state}::text`,
      ]);
    case 'first_touch': {
      const where: Expr[] = [];
      if (c.sourceIds) where.push(sql`r.first_source_id IN (${sql.join(c.sourceIds.map((s) => sql`${s}::uuid`))})`);
      if (c.sourceKinds) where.push(sql`r.first_source_kind IN (${sql.join(c.sourceKinds.map((s) => sql`${s}::text`))})`);
      if (c.domainClasses) where.push(sql`r.first_domain_class IN (${sql.join(c.domainClasses.map((s) => sql`${s}::text`))})`);
      if (c.at) where.push(columnTimeTest(sql`r.first_touch_at`, c.at, ctx, [...path, 'at']));
      return rollup(ctx, where);
    }
  }
}

/** The definition's condition as a boolean SQL expression over `profiles p`. `path` names the condition in errors. */
export function compileCondition(condition: Condition, ctx: CompileContext, path: Path = ['definition', 'condition']): Expr {
  return compileNode(condition, ctx, path);
}
