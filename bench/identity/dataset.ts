/**
 * The data set of the rebuild benchmark: `people` identify events written straight into `events`
 * with COPY (no HTTP, no resolution, profile_id NULL), each with a userId, an anonymousId and a
 * phone in its traits: one person, three identifiers per event. Deterministic for a given seed
 * except message ids. Event times spread over the 90 days before `end`; received a few seconds later.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { COPY_EVENTS_SQL, encodeEventRows, ensureEventPartitions, type EventRow } from '../../src/modules/ingest/index.js';
import { CopySource, type Store } from '../../src/platform/db/index.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋'];
const CITIES = ['上海', '北京', '深圳', '杭州', '成都', '武汉', '广州'];

export interface DatasetOptions {
  tenantId: string;
  sourceId: string;
  people: number;
  /** Rows per COPY (each in its own transaction). */
  chunk?: number;
  end?: Date;
  onProgress?: (done: number) => void;
}

const DAY = 86_400_000;

/** The i-th person's phone: +86 138 then eight digits (valid mainland mobile, never a junk value). */
export const phoneOf = (i: number) => `+86138${String(10_000_000 + i).slice(-8)}`;

/** COPYs the events; returns how many rows were written and the seconds it took. */
export async function writeIdentifyEvents(store: Store, o: DatasetOptions): Promise<{ rows: number; seconds: number }> {
  const chunk = o.chunk ?? 20_000;
  const end = (o.end ?? new Date()).getTime();
  const start = end - 90 * DAY;
  const started = performance.now();
  const months = new Set<number>();
  for (let t = start; t <= end + DAY; t += DAY) months.add(Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), 1));
  await ensureEventPartitions(store, [...months].map((m) => new Date(m)));
  let rows = 0;
  for (let from = 0; from < o.people; from += chunk) {
    const batch: EventRow[] = [];
    for (let i = from; i < Math.min(o.people, from + chunk); i++) {
      // Spread over 90 days, not in id order: a multiplicative hash of i.
      const at = start + ((i * 2_654_435_761) % 90_000) * (DAY / 1000);
      const traits = {
        name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i >> 3) % GIVEN.length]}`,
        phone: phoneOf(i),
        city: CITIES[(i >> 6) % CITIES.length],
      };
      batch.push({
        tenantId: o.tenantId,
        sourceId: o.sourceId,
        receivedAt: new Date(at + 2_000),
        messageId: randomUUID(),
        type: 'identify',
        event: null,
        name: null,
        category: null,
        userId: `cust_${1_000_000 + i}`,
        anonymousId: randomUUID(),
        groupId: null,
        previousId: null,
        timestamp: new Date(at),
        originalTimestamp: new Date(at),
        sentAt: new Date(at + 1_000),
        properties: null,
        traits: JSON.stringify(traits),
        context: JSON.stringify({ library: { name: 'analytics-node', version: '3.1.0' }, ip: '116.228.1.1', locale: 'zh-CN' }),
        integrations: null,
        profileId: null,
      });
    }
    const data = encodeEventRows(batch);
    await store.db.transaction().execute((trx) => trx.executeQuery(CompiledQuery.raw(COPY_EVENTS_SQL, [new CopySource(data)])));
    rows += batch.length;
    o.onProgress?.(rows);
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}
