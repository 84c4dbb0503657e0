import type { z } from 'zod';
import { parseDateTime } from '../../contracts/common.js';
import type { AutohomeClue, AutohomeConfig, autohomeFeedResultSchema } from '../../contracts/lead-sources.js';
import { leadInputSchema, type LeadInput, type LeadInputRaw } from '../../contracts/leads.js';
import { systemPrincipal } from '../../modules/tenancy/index.js';
import { AppError } from '../../platform/errors.js';
import { getAutohomeConfig } from './connectors.js';
import { fromChinaTime } from './ocean-engine-api.js';
import { createdAtProblem, phoneProblem, type LeadSourceDeps } from './types.js';
import { intakeLeads } from '../../modules/leads/index.js';

/**
 * An Autohome-style (汽车之家) lead feed: the platform gives a hash of the phone number, its own
 * dealer id and series / spec ids. Ids are translated through the tenant's id maps (PUT
 * /api/v1/lead-connectors/autohome); an unmapped dealer id leaves the dealer to the routing rules.
 */
export const AUTOHOME_SOURCE = 'autohome';

export interface Unmapped {
  dealerId?: string;
  seriesId?: string;
  specId?: string;
}

/** `2026-03-01 10:00:00` (China time, what the feed sends) or ISO-8601 with a zone. */
function feedTime(value: string): string {
  const at = fromChinaTime(value) ?? parseDateTime(value);
  // Left as sent: the lead schema reports it with its own message.
  return at ? at.toISOString() : value;
}

export function autohomeClueToLeadInput(clue: AutohomeClue, config: AutohomeConfig): { input: LeadInputRaw; unmapped: Unmapped } {
  const unmapped: Unmapped = {};
  const lookup = (map: Record<string, string>, id: string | undefined, key: keyof Unmapped) => {
    if (id === undefined) return undefined;
    const value = map[id];
    if (value === undefined) unmapped[key] = id;
    return value;
  };
  const hash = clue.mobile_md5 ?? clue.phone_md5;
  return {
    input: {
      source: AUTOHOME_SOURCE,
      externalId: clue.clue_id ?? clue.order_id,
      name: clue.user_name,
      phone: hash ? hash.toLowerCase() : (clue.mobile ?? ''),
      city: clue.city_name,
      province: clue.province_name,
      dealerCode: lookup(config.dealers, clue.dealer_id, 'dealerId'),
      series: lookup(config.series, clue.series_id, 'seriesId') ?? clue.series_name,
      model: lookup(config.models, clue.spec_id, 'specId') ?? clue.spec_name,
      createdAt: feedTime(clue.create_time),
      raw: clue,
    },
    unmapped,
  };
}

/** The feed's name of a lead field, for error messages. */
const FEED_FIELD: Record<string, string> = {
  externalId: 'clue_id',
  phone: 'mobile_md5',
  name: 'user_name',
  city: 'city_name',
  province: 'province_name',
  series: 'series_id',
  model: 'spec_id',
  dealerCode: 'dealer_id',
  createdAt: 'create_time',
};

export type AutohomeFeedResult = z.infer<typeof autohomeFeedResultSchema>;

/** Maps and validates every clue (one bad clue: 400 naming it, nothing stored), then takes them in. */
export async function intakeAutohomeFeed(deps: LeadSourceDeps, tenantId: string, clues: AutohomeClue[]): Promise<AutohomeFeedResult> {
  const config = await getAutohomeConfig(deps, tenantId);
  const now = deps.clock.now();
  const inputs: LeadInput[] = [];
  const problems: { index: number; field: string; message: string }[] = [];
  const unmapped = { dealerIds: new Set<string>(), seriesIds: new Set<string>(), specIds: new Set<string>() };
  for (const [index, clue] of clues.entries()) {
    const mapped = autohomeClueToLeadInput(clue, config);
    if (mapped.unmapped.dealerId) unmapped.dealerIds.add(mapped.unmapped.dealerId);
    if (mapped.unmapped.seriesId) unmapped.seriesIds.add(mapped.unmapped.seriesId);
    if (mapped.unmapped.specId) unmapped.specIds.add(mapped.unmapped.specId);
    const parsed = leadInputSchema.safeParse(mapped.input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        problems.push({ index, field: FEED_FIELD[field] ?? (field || 'clue'), message: issue.message });
      }
      continue;
    }
    const phone = phoneProblem(parsed.data.phone);
    const createdAt = createdAtProblem(parsed.data.createdAt, now);
    if (phone) problems.push({ index, field: clue.mobile !== undefined ? 'mobile' : 'mobile_md5', message: phone });
    else if (createdAt) problems.push({ index, field: 'create_time', message: createdAt });
    else inputs.push(parsed.data);
  }
  const first = problems[0];
  if (first) {
    throw new AppError('invalid_request', `clues[${first.index}] (${first.field}): ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`, {
      issues: problems.slice(0, 100),
    });
  }
  const results = await intakeLeads(deps, systemPrincipal(tenantId, 'autohome'), inputs, { now, single: false });
  return {
    results: results.map((r, i) => ({ externalId: inputs[i]?.externalId ?? '', id: r.id, status: r.status, dedup: r.dedup, created: r.created })),
    unmapped: { dealerIds: [...unmapped.dealerIds], seriesIds: [...unmapped.seriesIds], specIds: [...unmapped.specIds] },
  };
}
