import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { json, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { currentConsents } from './index.js';

async function newProfile(db: Db, tenantId: string, mergedInto: string | null = null): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db.insertInto('profiles').values({ tenant_id: tenantId, id, merged_into: mergedInto, first_seen: now, last_seen: now }).execute();
  return id;
}

interface Consent {
  channel: string;
  purpose: string;
  state: string;
  at: string;
  source: string | null;
  orgUnit: string | null;
}
interface Recorded {
  recorded: boolean;
  applied: boolean;
  consent: Consent;
}
interface HistoryEntry extends Consent {
  id: string;
  note: string | null;
  recordedAt: string;
}

const NOW = '2026-03-01T08:00:00.000Z';

describe.each(testEngines)('consents on %s', (engine) => {
  const clock = new ManualClock(new Date(NOW));
  const fx = useAppFixture(engine, { clock });
  let admin: Record<string, string>;
  let tenantId: string;
  let person: string;
  beforeEach(async () => {
    clock.set(new Date(NOW));
    admin = { authorization: `Bearer ${fx.tenant.adminToken}` };
    tenantId = fx.tenant.tenantId;
    person = await newProfile(fx.store.db, tenantId);
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    fx.app.inject({
      method,
      url,
      headers: payload === undefined ? admin : { ...admin, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const record = (body: Record<string, unknown>, id = person) => call('POST', `/api/v1/profiles/${id}/consents`, body);
  const history = async (id = person) => (json(await call('GET', `/api/v1/profiles/${id}/consents/history`)) as { data: HistoryEntry[] }).data;
  const historyRows = async () =>
    Number(
      (await fx.store.db.selectFrom('consent_history').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n,
    );

  it('records a consent with the clock’s time by default, and replays it as a no-op', async () => {
    const body = { channel: 'sms', purpose: 'marketing', state: 'granted', source: 'wecom_form', orgUnit: 'D0101', note: '到店登记' };
    const res = await record(body);
    expect(res.statusCode, res.body).toBe(201);
    const granted: Consent = { channel: 'sms', purpose: 'marketing', state: 'granted', at: NOW, source: 'wecom_form', orgUnit: 'D0101' };
    expect(json(res)).toEqual({ recorded: true, applied: true, consent: granted });
    const replay = await record({ ...body, at: NOW });
    expect(replay.statusCode).toBe(200);
    expect(json(replay)).toEqual({ recorded: false, applied: false, consent: granted });
    expect(await historyRows()).toBe(1);
    expect(json(await call('GET', `/api/v1/profiles/${person}/consents`))).toEqual({ data: [granted] });
    const [entry] = await history();
    expect(entry).toEqual({ ...granted, id: entry?.id, note: '到店登记', recordedAt: entry?.recordedAt });
  });

  it('a late-arriving older record goes to the history only', async () => {
    await record({ channel: 'wecom', purpose: 'marketing', state: 'denied', at: '2026-02-10T00:00:00Z', source: 'call_center' });
    const late = await record({ channel: 'wecom', purpose: 'marketing', state: 'granted', at: '2026-01-05T00:00:00Z', source: 'dms' });
    expect(late.statusCode).toBe(201);
    const denied: Consent = { channel: 'wecom', purpose: 'marketing', state: 'denied', at: '2026-02-10T00:00:00.000Z', source: 'call_center', orgUnit: null };
    expect(json(late)).toEqual({ recorded: true, applied: false, consent: denied });
    expect(await currentConsents(fx.store.db, tenantId, person)).toEqual([denied]);
    expect((await history()).map((h) => [h.state, h.at, h.source])).toEqual([
      ['denied', '2026-02-10T00:00:00.000Z', 'call_center'],
      ['granted', '2026-01-05T00:00:00.000Z', 'dms'],
    ]);
    // A newer record than the current one applies; one at the same instant too.
    const newer = json(await record({ channel: 'wecom', purpose: 'marketing', state: 'granted', at: '2026-02-20T00:00:00Z' })) as Recorded;
    expect(newer).toMatchObject({ recorded: true, applied: true, consent: { state: 'granted', at: '2026-02-20T00:00:00.000Z', source: null } });
    const same = json(await record({ channel: 'wecom', purpose: 'marketing', state: 'denied', at: '2026-02-20T00:00:00Z', source: 'app' })) as Recorded;
    expect(same).toMatchObject({ applied: true, consent: { state: 'denied', source: 'app' } });
    expect(await historyRows()).toBe(4);
  });

  it('keeps channels and purposes apart', async () => {
    await record({ channel: 'sms', purpose: 'marketing', state: 'denied' });
    await record({ channel: 'sms', purpose: 'service', state: 'granted' });
    await record({ channel: 'email', purpose: 'survey', state: 'granted' });
    const { data } = json(await call('GET', `/api/v1/profiles/${person}/consents`)) as { data: Consent[] };
    expect(data.map((c) => `${c.channel}/${c.purpose}=${c.state}`)).toEqual(['email/survey=granted', 'sms/marketing=denied', 'sms/service=granted']);
  });

  it('withdrawn needs an earlier grant (409 otherwise)', async () => {
    const early = await record({ channel: 'app_push', purpose: 'marketing', state: 'withdrawn' });
    expect(early.statusCode).toBe(409);
    expect(json(early)).toMatchObject({ error: { code: 'conflict', details: { channel: 'app_push', purpose: 'marketing' } } });
    expect((json(early) as { error: { message: string } }).error.message).toContain('not granted');
    await record({ channel: 'app_push', purpose: 'marketing', state: 'granted', at: '2026-02-01T00:00:00Z' });
    const before = await record({ channel: 'app_push', purpose: 'marketing', state: 'withdrawn', at: '2026-01-01T00:00:00Z' });
    expect(before.statusCode).toBe(409);
    clock.advance(60_000);
    const ok = await record({ channel: 'app_push', purpose: 'marketing', state: 'withdrawn' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(json(ok)).toMatchObject({ applied: true, consent: { state: 'withdrawn', at: '2026-03-01T08:01:00.000Z' } });
    expect(await historyRows()).toBe(2);
  });

  it('rejects bad input with a 400 naming the field and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ channel: 'fax', purpose: 'marketing', state: 'granted' }, 'channel'],
      [{ channel: 'sms', purpose: 'ads', state: 'granted' }, 'purpose'],
      [{ channel: 'sms', purpose: 'marketing', state: 'maybe' }, 'state'],
      [{ channel: 'sms', purpose: 'marketing', state: 'granted', at: 'today' }, 'at'],
      [{ channel: 'sms', purpose: 'marketing', state: 'granted', at: '2026-03-02T00:00:00Z' }, 'at'],
      [{ channel: 'sms', purpose: 'marketing', state: 'granted', orgUnit: '' }, 'orgUnit'],
      [{ channel: 'sms', purpose: 'marketing', state: 'granted', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await record(body);
      expect(res.statusCode, res.body).toBe(400);
      expect((json(res) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_request' });
      expect((json(res) as { error: { message: string } }).error.message).toContain(field);
    }
    expect((await record({ channel: 'sms', purpose: 'marketing', state: 'granted' }, 'not-a-uuid')).statusCode).toBe(400);
    expect((await record({ channel: 'sms', purpose: 'marketing', state: 'granted' }, randomUUID())).statusCode).toBe(404);
    expect(await historyRows()).toBe(0);
  });

  it('a merged-away profile id answers 308 with a Location at the survivor', async () => {
    const merged = await newProfile(fx.store.db, tenantId, person);
    await record({ channel: 'sms', purpose: 'service', state: 'granted' });
    for (const url of [`/api/v1/profiles/${merged}/consents`, `/api/v1/profiles/${merged}/consents/history`]) {
      const res = await call('GET', url);
      expect(res.statusCode).toBe(308);
      expect(res.headers['location']).toBe(url.replace(merged, person));
      expect(json(res)).toMatchObject({ error: { code: 'profile_merged', details: { mergedId: merged, profileId: person } } });
    }
    const post = await record({ channel: 'sms', purpose: 'marketing', state: 'granted' }, merged);
    expect(post.statusCode).toBe(308);
    expect(post.headers['location']).toBe(`/api/v1/profiles/${person}/consents`);
    expect(await historyRows()).toBe(1);
  });
});
