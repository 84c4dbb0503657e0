import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A local stand-in for the Ocean Engine (巨量引擎) Marketing API's clue list, `GET
 * /open_api/2/tools/clue/get/`, following the documented contract (field names from Ocean Engine's
 * SDK, see docs/lead-sources.md): the `Access-Token` header, `advertiser_ids` (a JSON array or a
 * comma list), `start_time` / `end_time` (`yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`, China time, on the
 * clue's creation time), `page` (default 1), `page_size` (default 10); clues newest first; always
 * HTTP 200 with `{ code, message, request_id, data }`, errors as a non-zero `code`.
 */

/** The documented fields of a clue (ToolsClueGetV2ResponseDataListInner). */
export interface DocumentedClue {
  clue_id: string;
  advertiser_id: string;
  advertiser_name?: string;
  ad_id?: string;
  ad_name?: string;
  promotion_id?: number;
  promotion_name?: string;
  creative_id?: string;
  site_id?: string;
  site_name?: string;
  module_id?: string;
  module_name?: string;
  clue_type?: number;
  clue_source?: number;
  create_time?: string;
  create_time_detail: string;
  date?: string;
  name?: string;
  telephone?: string;
  gender?: number;
  age?: number;
  email?: string;
  weixin?: string;
  qq?: string;
  province_name?: string;
  city_name?: string;
  country_name?: string;
  address?: string;
  location?: string;
  remark?: string;
  remark_dict?: Record<string, string>;
  form_remark?: string;
  app_name?: string;
  convert_status?: string;
  intention_estimation?: string;
  external_url?: string;
  req_id?: string;
  mid_info?: string;
  clue_state?: number;
  clue_state_name?: string;
  clue_owner_name?: string;
  follow_state_name?: string;
  allocation_status?: number;
  system_tags?: string[];
  tags?: string[];
  extra_info?: Record<string, unknown>;
  store?: {
    store_id?: number;
    store_name?: string;
    store_address?: string;
    store_location?: string;
    store_remark?: string;
    store_pack_id?: number;
    store_pack_name?: string;
    store_pack_remark?: string;
  };
}

export const FAKE_CODES = { invalidParam: 40001, tooManyRequests: 40100, tokenExpired: 40102, tokenInvalid: 40105 } as const;

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  accessToken: string | null;
}

export interface FakeOceanEngine {
  /** The base URL to configure (`http://127.0.0.1:<port>`). */
  url: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  addClue(clue: DocumentedClue): void;
  /** Late fields: the platform fills in a clue later (same clue_id). */
  updateClue(clueId: string, patch: Partial<DocumentedClue>): void;
  /** Answer the next `times` clue requests with this code (e.g. 40100, rate limited). */
  failNext(code: number, message: string, times?: number): void;
  /** The token stops working with 40102 (expired). */
  expireToken(token: string): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** `yyyy-MM-dd` → the start (or end) of that day; `yyyy-MM-dd HH:mm:ss` as it is; null otherwise. */
function timeBound(value: string | undefined, end: boolean): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value} ${end ? '23:59:59' : '00:00:00'}`;
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? value : null;
}

function advertiserIds(value: string | undefined): string[] | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // a comma list
  }
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export async function startFakeOceanEngine(options: { accessTokens: string[] }): Promise<FakeOceanEngine> {
  const tokens = new Set(options.accessTokens);
  const expired = new Set<string>();
  const clues = new Map<string, DocumentedClue>();
  const failures: { code: number; message: string }[] = [];
  const requests: FakeRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const header = req.headers['access-token'];
    const accessToken = typeof header === 'string' ? header : null;
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), accessToken });
    const requestId = randomUUID().replaceAll('-', '');
    const fail = (code: number, message: string) => send(res, { code, message, request_id: requestId, data: {} });
    if (req.method !== 'GET' || url.pathname !== '/open_api/2/tools/clue/get/') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    if (!accessToken || !tokens.has(accessToken)) return fail(FAKE_CODES.tokenInvalid, 'Access token is incorrect or has been revoked.');
    if (expired.has(accessToken)) return fail(FAKE_CODES.tokenExpired, 'Access token has expired.');
    const failure = failures.shift();
    if (failure) return fail(failure.code, failure.message);
    const q = url.searchParams;
    const ids = advertiserIds(q.get('advertiser_ids') ?? undefined);
    const start = timeBound(q.get('start_time') ?? undefined, false);
    const end = timeBound(q.get('end_time') ?? undefined, true);
    const page = Number(q.get('page') ?? '1');
    const pageSize = Number(q.get('page_size') ?? '10');
    if (!ids || ids.length === 0) return fail(FAKE_CODES.invalidParam, 'advertiser_ids: field required');
    if (!start || !end) return fail(FAKE_CODES.invalidParam, 'start_time and end_time must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1) return fail(FAKE_CODES.invalidParam, 'page and page_size must be positive integers');
    const matching = [...clues.values()]
      .filter((c) => ids.includes(c.advertiser_id) && c.create_time_detail >= start && c.create_time_detail <= end)
      // Newest first, as documented.
      .sort((a, b) => b.create_time_detail.localeCompare(a.create_time_detail) || b.clue_id.localeCompare(a.clue_id));
    const list = matching.slice((page - 1) * pageSize, page * pageSize);
    send(res, {
      code: 0,
      message: 'OK',
      request_id: requestId,
      data: { list, page_info: { page, page_size: pageSize, total_number: matching.length, total_page: Math.ceil(matching.length / pageSize) } },
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fake Ocean Engine did not get a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    addClue(clue) {
      clues.set(clue.clue_id, { create_time: clue.create_time_detail.slice(0, 10), date: clue.create_time_detail.slice(0, 10), ...clue });
    },
    updateClue(clueId, patch) {
      const current = clues.get(clueId);
      if (!current) throw new Error(`the fake has no clue ${clueId}`);
      clues.set(clueId, { ...current, ...patch });
    },
    failNext(code, message, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ code, message });
    },
    expireToken(token) {
      expired.add(token);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
