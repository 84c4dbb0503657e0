import { z } from 'zod';

/**
 * The Ocean Engine (巨量引擎) Marketing API's clue list, `GET /open_api/2/tools/clue/get/` (获取线索列表,
 * 飞鱼线索). Field names as in Ocean Engine's own SDK (github.com/oceanengine/ad_open_sdk_go,
 * `ToolsClueGetV2ResponseDataListInner`, `…PageInfo`, `api_tools_clue_get_v2.go`); see
 * docs/lead-sources.md. Query: `advertiser_ids`, `start_time` / `end_time` (`yyyy-MM-dd HH:mm:ss`,
 * China time, filtering on the clue's creation time), `page`, `page_size`; the token in the
 * `Access-Token` header. The answer is HTTP 200 with `{ code, message, request_id, data }`: `code` 0 is
 * success, anything else an error (the HTTP status says nothing).
 */
export const CLUE_GET_PATH = '/open_api/2/tools/clue/get/';

/**
 * One clue as the API answers it. The fields we read (see `clueToLeadInput`): clue_id, advertiser_id,
 * ad_name / promotion_name, create_time_detail, name, telephone, province_name, city_name, remark_dict;
 * the whole object is kept as the lead's `raw`. The documented list is in src/testing/fakes/ocean-engine.ts.
 */
export type OceanEngineClue = { clue_id: string } & Record<string, unknown>;

export interface CluePageInfo {
  page: number;
  page_size: number;
  total_number: number;
  total_page: number;
}

/** Documented and observed codes (the poller treats every non-zero code as a failure). */
export const OCEAN_ENGINE_CODES = {
  ok: 0,
  invalidParam: 40001,
  tooManyRequests: 40100,
  tokenExpired: 40102,
  tokenInvalid: 40105,
} as const;

/** The platform answered with a non-zero code, a non-JSON body or an HTTP error. */
export class OceanEngineError extends Error {
  constructor(
    readonly code: number | null,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'OceanEngineError';
  }
}

const idString = z.union([z.string(), z.number()]).transform(String);
const clueSchema = z.looseObject({ clue_id: idString });
const envelopeSchema = z.looseObject({
  code: z.number(),
  message: z.string().optional(),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});
const dataSchema = z.looseObject({
  list: z.array(clueSchema).default([]),
  page_info: z.looseObject({ page: z.number(), page_size: z.number(), total_number: z.number(), total_page: z.number() }),
});

/** Ids wider than 2^53 lose digits in JSON.parse: read every `…_id` integer as text first. */
function parseKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(/("[a-z_]*_id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** `2026-03-01T02:00:00Z` → `2026-03-01 10:00:00` (China time, UTC+8 all year). */
export function chinaTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** `2026-03-01 10:00:00` (China time) → the instant; null when it is not that shape. */
export function fromChinaTime(text: string | undefined): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec((text ?? '').trim());
  if (!m) return null;
  const at = new Date(`${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export interface CluePageRequest {
  baseUrl: string;
  accessToken: string;
  advertiserIds: readonly string[];
  from: Date;
  to: Date;
  page: number;
  pageSize: number;
  /** Default 30 s. */
  timeoutMs?: number;
}

export interface CluePage {
  list: OceanEngineClue[];
  pageInfo: CluePageInfo;
  requestId: string | null;
}

/** One page of clues; throws OceanEngineError for anything but `code: 0` with a well-formed page. */
export async function fetchCluePage(r: CluePageRequest): Promise<CluePage> {
  const url = new URL(CLUE_GET_PATH.slice(1), r.baseUrl.endsWith('/') ? r.baseUrl : `${r.baseUrl}/`);
  // Ids as a JSON array (what Ocean Engine's GET endpoints take for list parameters).
  url.searchParams.set('advertiser_ids', JSON.stringify(r.advertiserIds.map(Number)));
  url.searchParams.set('start_time', chinaTime(r.from));
  url.searchParams.set('end_time', chinaTime(r.to));
  url.searchParams.set('page', String(r.page));
  url.searchParams.set('page_size', String(r.pageSize));
  let res: Response;
  try {
    res = await fetch(url, { headers: { 'Access-Token': r.accessToken, Accept: 'application/json' }, signal: AbortSignal.timeout(r.timeoutMs ?? 30_000) });
  } catch (err) {
    throw new OceanEngineError(null, `could not reach ${url.origin}: ${err instanceof Error ? err.message : String(err)}`, null);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = parseKeepingIds(text);
  } catch {
    throw new OceanEngineError(null, `${url.origin} answered HTTP ${res.status} with a body that is not JSON`, null);
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) throw new OceanEngineError(null, `${url.origin} answered HTTP ${res.status} without a "code"`, null);
  const { code, message, request_id: requestId = null } = envelope.data;
  if (code !== OCEAN_ENGINE_CODES.ok) throw new OceanEngineError(code, `Ocean Engine error ${code}: ${message ?? '(no message)'}`, requestId);
  const data = dataSchema.safeParse(envelope.data.data);
  if (!data.success) throw new OceanEngineError(null, 'Ocean Engine answered code 0 without data.list and data.page_info', requestId);
  return { list: data.data.list, pageInfo: data.data.page_info, requestId };
}
