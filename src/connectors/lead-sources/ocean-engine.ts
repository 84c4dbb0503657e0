import { z } from 'zod';
import { oceanEngineStoredConfigSchema, pollStatsSchema, type OceanEngineConfig, type PollStats } from '../../contracts/lead-sources.js';
import { leadInputSchema, type LeadInput, type LeadInputRaw } from '../../contracts/leads.js';
import { systemPrincipal } from '../../modules/tenancy/index.js';
import type { Job } from '../../platform/jobs/index.js';
import * as repo from './connectors.repo.js';
import { OceanEngineError, fetchCluePage, fromChinaTime, type OceanEngineClue } from './ocean-engine-api.js';
import { decryptSecret } from '../../platform/secrets.js';
import { createdAtProblem, phoneProblem, textOf, type LeadSourceDeps } from './types.js';
import { intakeLeads } from '../../modules/leads/index.js';

/**
 * The Ocean Engine (巨量引擎, Douyin ads) clue poller. A durable job per tenant reads the clues created
 * from `cursor − lookBack` to now, page by page, turns each into a lead (source douyin, externalId =
 * clue_id) and hands them to the intake, which is idempotent by (source, externalId): a clue read
 * twice is one lead. A clue read again with fields it lacked before (the platform fills some in about
 * 10 minutes later) completes the stored lead. The cursor moves only after a whole window succeeded.
 */
export const OCEAN_ENGINE_POLL_JOB = 'leads.ocean_engine.poll';
export const CONNECTOR_KEY = 'default';
export const LEAD_SOURCE = 'douyin';
export const LEAD_CHANNEL = 'ocean_engine';
/** A clue without a telephone holds the cursor back (so it is read again) for at most this long. */
export const WAIT_FOR_PHONE_MS = 24 * 3600_000;

export function secretContext(tenantId: string): string {
  return `lead_connectors/${tenantId}/ocean_engine/${CONNECTOR_KEY}`;
}

const cursorSchema = z.object({ createdUntil: z.string(), lastRun: pollStatsSchema.optional() });
export type OceanEngineCursor = z.infer<typeof cursorSchema>;

export function readCursor(value: unknown): OceanEngineCursor | null {
  const parsed = cursorSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function readConfig(value: unknown): OceanEngineConfig {
  return oceanEngineStoredConfigSchema.parse(value);
}

const remarkDict = z.record(z.string(), z.unknown());

function remark(clue: OceanEngineClue, key: string | undefined): string | undefined {
  if (!key) return undefined;
  const dict = remarkDict.safeParse(clue['remark_dict']);
  return dict.success ? textOf(dict.data[key]) : undefined;
}

/**
 * A clue as a lead: telephone → phone, name, province_name / city_name, the ad (promotion_name, else
 * ad_name) as campaign, create_time_detail (China time) as createdAt, optionally series / model /
 * dealer code from the advertiser's own form fields (remark_dict), the whole clue as raw.
 */
export function clueToLeadInput(clue: OceanEngineClue, config: Pick<OceanEngineConfig, 'remarkFields'>): LeadInputRaw {
  const createdAt = fromChinaTime(textOf(clue['create_time_detail']));
  return {
    source: LEAD_SOURCE,
    externalId: clue.clue_id,
    channel: LEAD_CHANNEL,
    campaign: textOf(clue['promotion_name']) ?? textOf(clue['ad_name']),
    name: textOf(clue['name']),
    phone: textOf(clue['telephone']) ?? '',
    city: textOf(clue['city_name']),
    province: textOf(clue['province_name']),
    series: remark(clue, config.remarkFields?.series),
    model: remark(clue, config.remarkFields?.model),
    dealerCode: remark(clue, config.remarkFields?.dealerCode),
    createdAt: createdAt?.toISOString(),
    raw: clue,
  };
}

export interface PollOutcome {
  cursor: string;
  stats: PollStats;
  pollIntervalSeconds: number;
}

const emptyStats = (): PollStats => ({ pages: 0, clues: 0, created: 0, existing: 0, completed: 0, waitingForPhone: 0, rejected: [] });

const maxDate = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b);

/**
 * One poll of a tenant's Ocean Engine clues. Null when the tenant has no connector (it was removed).
 * A failure is recorded as the connector's last_error and thrown (the job retries with back-off);
 * the cursor then stays where it was.
 */
export async function pollOceanEngine(deps: LeadSourceDeps, tenantId: string): Promise<PollOutcome | null> {
  const db = deps.store.db;
  const row = await repo.findConnector(db, tenantId, 'ocean_engine', CONNECTOR_KEY);
  if (!row) return null;
  const now = deps.clock.now();
  try {
    const config = readConfig(row.config);
    if (!row.secretEnc) throw new OceanEngineError(null, 'no access token is stored; PUT the connector configuration with accessToken', null);
    const accessToken = decryptSecret(deps.secretKey, row.secretEnc, secretContext(tenantId));
    const cursor = readCursor(row.cursor);
    const cursorAt = cursor ? new Date(cursor.createdUntil) : null;
    const lookBackMs = config.lookBackMinutes * 60_000;
    const from = new Date(Math.min((cursorAt ?? now).getTime(), now.getTime()) - lookBackMs);
    const principal = systemPrincipal(tenantId, 'ocean_engine');
    const stats = emptyStats();
    let newest: Date | null = null;
    let oldestWaiting: Date | null = null;

    for (let page = 1, totalPages = 1; page <= totalPages; page++) {
      const res = await fetchCluePage({ baseUrl: config.baseUrl, accessToken, advertiserIds: config.advertiserIds, from, to: now, page, pageSize: config.pageSize });
      stats.pages++;
      totalPages = res.pageInfo.total_page;
      if (res.list.length === 0) break;
      const inputs: LeadInput[] = [];
      for (const clue of res.list) {
        stats.clues++;
        const createdAt = fromChinaTime(textOf(clue['create_time_detail']));
        newest = maxDate(newest, createdAt);
        const mapped = clueToLeadInput(clue, config);
        if (mapped.phone === '') {
          stats.waitingForPhone++;
          if (createdAt && now.getTime() - createdAt.getTime() < WAIT_FOR_PHONE_MS && (!oldestWaiting || createdAt < oldestWaiting)) oldestWaiting = createdAt;
          continue;
        }
        const parsed = leadInputSchema.safeParse(mapped);
        const problem = parsed.success
          ? (phoneProblem(parsed.data.phone) ?? createdAtProblem(parsed.data.createdAt, now))
          : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        if (parsed.success && problem === null) inputs.push(parsed.data);
        else stats.rejected.push({ clueId: clue.clue_id, message: problem ?? 'not a valid lead' });
      }
      if (inputs.length === 0) continue;
      const results = await intakeLeads(deps, principal, inputs, { now, single: false });
      for (const [i, result] of results.entries()) {
        if (result.created) {
          stats.created++;
          continue;
        }
        stats.existing++;
        const input = inputs[i];
        if (!input?.externalId) continue;
        const { name, city, province, series, model, campaign } = input;
        if (await repo.completeLeadFields(db, tenantId, LEAD_SOURCE, input.externalId, { name, city, province, series, model, campaign }, input.raw, now)) stats.completed++;
      }
    }

    // The newest clue seen, but never older than the window's end minus the look-back (a quiet
    // account must not widen the window forever) ...
    let next = maxDate(maxDate(cursorAt, newest), new Date(now.getTime() - lookBackMs)) ?? now;
    // ... and not past a recent clue still waiting for its telephone (it is read again).
    if (oldestWaiting && oldestWaiting < next) next = oldestWaiting;
    const outcome: PollOutcome = { cursor: next.toISOString(), stats, pollIntervalSeconds: config.pollIntervalSeconds };
    await repo.recordRun(db, tenantId, 'ocean_engine', { cursor: { createdUntil: outcome.cursor, lastRun: stats }, at: now });
    return outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await repo.recordFailure(db, tenantId, 'ocean_engine', { error: message, at: now }).catch(() => undefined);
    throw err;
  }
}

/** The job: poll, then run again after the configured interval; ends when the connector is gone. */
export async function runOceanEngineJob(deps: LeadSourceDeps, job: Pick<Job, 'tenantId'>): Promise<Date | undefined> {
  const outcome = await pollOceanEngine(deps, job.tenantId);
  if (!outcome) return undefined;
  return new Date(deps.clock.now().getTime() + outcome.pollIntervalSeconds * 1000);
}
