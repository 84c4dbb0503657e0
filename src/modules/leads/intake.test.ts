import { describe, expect, it } from 'vitest';
import type { LeadInput, LeadInputRaw } from '../../contracts/leads.js';
import { leadInputSchema } from '../../contracts/leads.js';
import { ManualClock } from '../../platform/clock.js';
import { json, storedCounts, useAppFixture } from '../../testing/app.js';
import { testEngines } from '../../testing/engines.js';
import { adminRequest, people, sendBatch } from '../../testing/identity.js';
import { systemPrincipal } from '../tenancy/index.js';
import { intakeLeads, leadIdFor } from './index.js';

const NOW = new Date('2026-03-10T02:00:00.000Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe.each(testEngines)('lead intake and dedup on %s', (engine) => {
  const clock = new ManualClock(NOW);
  const fx = useAppFixture(engine, { clock });
  const deps = () => ({ store: fx.store, clock });
  const principal = () => systemPrincipal(fx.tenant.tenantId, 'test');
  const lead = (l: LeadInputRaw): LeadInput => leadInputSchema.parse(l);
  const intake = (...leads: LeadInputRaw[]) => intakeLeads(deps(), principal(), leads.map(lead));
  const count = async (table: 'leads' | 'lead_transitions' | 'profile_origins' | 'customer_links') =>
    Number((await fx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow()).n);

  it('a new person, then the same person again (merged), then the same series within the window (duplicate)', async () => {
    const [a] = await intake({ source: 'website', externalId: 'w-1', name: '王小明', phone: '134 1234 1234', city: '上海', series: '汉', createdAt: ago(40 * DAY) });
    expect(a).toMatchObject({ dedup: 'new', status: 'new', duplicateOf: null, created: true, inPool: true, poolReason: 'no_route', dealerId: null, consultantId: null });
    expect(a!.id).toBe(leadIdFor(fx.tenant.tenantId, 'website', 'w-1'));
    expect(a!.profileId).not.toBeNull();

    // Same person, other series: merged into the existing person, not a duplicate.
    const [b] = await intake({ source: 'autohome', externalId: 'ah-1', phone: '+8613412341234', series: '唐', createdAt: ago(35 * DAY) });
    expect(b).toMatchObject({ dedup: 'merged', profileId: a!.profileId, duplicateOf: null, status: 'new' });

    // Same person and series 30 days after the first: exactly at the window's edge, a duplicate.
    const [c] = await intake({ source: 'douyin', externalId: 'dy-1', phone: '13412341234', series: '汉', createdAt: ago(10 * DAY) });
    expect(c).toMatchObject({ dedup: 'duplicate', duplicateOf: a!.id, status: 'invalid', profileId: a!.profileId, dealerId: null, inPool: false, created: true });

    const stored = await fx.store.db.selectFrom('leads').selectAll().where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', c!.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ invalid_reason: 'duplicate', in_pool: false, consultant_id: null });
    // The original gained a repeat-inquiry signal.
    const original = await fx.store.db.selectFrom('leads').select(['score', 'score_factors']).where('id', '=', a!.id).where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    expect(original.score).toBe(a!.score + 5);
    expect(original.score_factors).toContainEqual({ factor: 'repeat_inquiry', points: 5, detail: `duplicate lead ${c!.id} from douyin at ${ago(10 * DAY)}` });
    const transitions = await fx.store.db.selectFrom('lead_transitions').select(['from_status', 'to_status', 'actor', 'reason']).where('tenant_id', '=', fx.tenant.tenantId).where('lead_id', '=', c!.id).execute();
    expect(transitions).toEqual([{ from_status: null, to_status: 'invalid', actor: 'system:test', reason: 'duplicate' }]);
  });

  it('the duplicate window: one millisecond beyond it is a new lead of the same person (merged); 0 turns dedup off', async () => {
    const [a] = await intake({ source: 'website', externalId: 'w-1', phone: '13412341234', series: '汉', createdAt: ago(40 * DAY) });
    const [b] = await intake({ source: 'website', externalId: 'w-2', phone: '13412341234', series: '汉', createdAt: new Date(NOW.getTime() - 10 * DAY + 1).toISOString() });
    expect(b).toMatchObject({ dedup: 'merged', duplicateOf: null });
    const [c] = await intake({ source: 'website', externalId: 'w-3', phone: '13412341234', series: '汉', createdAt: ago(5 * DAY) });
    // The latest original inside the window is b (a is 35 days before).
    expect(c).toMatchObject({ dedup: 'duplicate', duplicateOf: b!.id });
    expect(a!.dedup).toBe('new');

    expect((await adminRequest(fx.app, fx.tenant, 'PUT', '/api/v1/lead-settings', { duplicateWindowDays: 0 })).statusCode).toBe(200);
    const [d] = await intake({ source: 'website', externalId: 'w-4', phone: '13412341234', series: '汉', createdAt: ago(4 * DAY) });
    expect(d).toMatchObject({ dedup: 'merged', duplicateOf: null });
  });

  it('a re-send answers the stored leads with the same ids and stores nothing new; a repeat inside a batch too', async () => {
    const input = [
      { source: 'autohome', externalId: 'ah-9', phone: '13512345678', series: '汉', createdAt: ago(DAY) },
      { source: 'website', phone: '13612345678', createdAt: ago(DAY) },
    ];
    const first = await intake(...input);
    expect(first.map((r) => r.created)).toEqual([true, true]);
    const before = { leads: await count('leads'), transitions: await count('lead_transitions'), events: await storedCounts(fx.store, fx.tenant.tenantId) };
    const again = await intake(...input, input[0]!);
    expect(again.map((r) => r.id)).toEqual([first[0]!.id, first[1]!.id, first[0]!.id]);
    expect(again.map((r) => r.created)).toEqual([false, false, false]);
    expect(again.map((r) => r.dedup)).toEqual(first.map((r) => r.dedup).concat(first[0]!.dedup));
    expect({ leads: await count('leads'), transitions: await count('lead_transitions'), events: await storedCounts(fx.store, fx.tenant.tenantId) }).toEqual(before);
    // Each lead: an identify with its traits (the full phone) and the Lead Created track.
    expect(before.events.events).toBe(4);

    // Within one batch, the second copy of a new lead answers the first, created: false.
    const twice = await intake({ source: 'yiche', externalId: 'y-1', phone: '13712345678', createdAt: ago(DAY) }, { source: 'yiche', externalId: 'y-1', phone: '13712345678', createdAt: ago(DAY) });
    expect(twice.map((r) => [r.id, r.created])).toEqual([
      [twice[0]!.id, true],
      [twice[0]!.id, false],
    ]);
  });

  it('a batch with one bad lead stores nothing: no leads, no events, no profiles; the error names each bad field', async () => {
    const res = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/leads', {
      leads: [
        { source: 'website', externalId: 'ok-1', phone: '13412341234', createdAt: ago(DAY) },
        { source: 'website', externalId: 'bad-1', phone: '12345', createdAt: ago(DAY) },
        { source: 'website', externalId: 'bad-2', phone: '13412341235', createdAt: new Date(NOW.getTime() + 3_600_000).toISOString() },
      ],
    });
    expect(res.statusCode, res.body).toBe(400);
    const body = json(res) as { error: { code: string; message: string; details: { issues: Array<{ path: string }> } } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.issues.map((i) => i.path)).toEqual(['leads[1].phone', 'leads[2].createdAt']);
    expect(await count('leads')).toBe(0);
    expect(await storedCounts(fx.store, fx.tenant.tenantId)).toEqual({ events: 0, messageIds: 0 });
    expect(await people(fx.store, fx.tenant.tenantId)).toEqual([]);

    // A shape error (schema) is all-or-nothing too, with the item's path.
    const shape = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/leads', { leads: [{ source: 'website', externalId: 'x', phone: '13412341234' }, { source: 'Web Site', phone: '13412341234' }] });
    expect(shape.statusCode, shape.body).toBe(400);
    const paths = (json(shape) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues.map((i) => i.path);
    expect(paths).toEqual(['leads[1].source', 'leads[1].createdAt']);
    expect(await count('leads')).toBe(0);
  });

  it('a masked or junk phone identifies nobody: every such lead is a new person; a hash is matched within its source', async () => {
    const masked = await intake({ source: 'douyin', externalId: 'd1', phone: '134****1234', series: '汉', createdAt: ago(DAY) }, { source: 'douyin', externalId: 'd2', phone: '134****1234', series: '汉', createdAt: ago(DAY) });
    expect(masked.map((r) => r.dedup)).toEqual(['new', 'new']);
    expect(masked[0]!.profileId).not.toBe(masked[1]!.profileId);
    const hash = 'E10ADC3949BA59ABBE56E057F20F883E';
    const hashed = await intake({ source: 'autohome', externalId: 'a1', phone: hash, series: '汉', createdAt: ago(3 * DAY) }, { source: 'autohome', externalId: 'a2', phone: hash, series: '唐', createdAt: ago(2 * DAY) });
    expect(hashed.map((r) => r.dedup)).toEqual(['new', 'merged']);
    expect(hashed[1]!.profileId).toBe(hashed[0]!.profileId);
    const person = (await people(fx.store, fx.tenant.tenantId)).find((p) => p.id === hashed[0]!.profileId)!;
    expect(person.identifiers).toEqual([`phone_hash:autohome:${hash.toLowerCase()}`]);
    const row = await fx.store.db.selectFrom('leads').select(['phone', 'phone_masked', 'phone_hash']).where('tenant_id', '=', fx.tenant.tenantId).where('id', '=', masked[0]!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ phone: null, phone_masked: '134****1234', phone_hash: null });
    // A junk number (typed by people who do not want to give theirs) identifies nobody either.
    const junk = await intake({ source: 'website', externalId: 'j1', phone: '13800138000', series: '汉', createdAt: ago(DAY) }, { source: 'website', externalId: 'j2', phone: '13800138000', series: '汉', createdAt: ago(DAY) });
    expect(junk.map((r) => r.dedup)).toEqual(['new', 'new']);
    expect(junk[0]!.profileId).not.toBeNull();
    expect(junk[0]!.profileId).not.toBe(junk[1]!.profileId);
  });

  it('the events: an identify giving the person the lead\'s name, city and phone as traits, then a Lead Created track, from the lead source', async () => {
    const [r] = await intake({ source: 'mini_program', externalId: 'mp-1', name: '李雷', phone: '13412341234', city: '上海', series: '汉', model: '汉 EV', channel: 'spring', createdAt: ago(2 * 3_600_000) });
    const events = await fx.store.db
      .selectFrom('events')
      .select(['message_id', 'type', 'event', 'source_id', 'profile_id', 'timestamp', 'properties', 'traits', 'context'])
      .where('tenant_id', '=', fx.tenant.tenantId)
      .orderBy('id')
      .execute();
    const source = await fx.store.db.selectFrom('sources').select(['id', 'name', 'kind', 'domain_class']).where('tenant_id', '=', fx.tenant.tenantId).where('name', '=', 'leads:mini_program').executeTakeFirstOrThrow();
    expect(source).toMatchObject({ kind: 'mini_program', domain_class: 'secondary' });
    expect(events.map((e) => [e.message_id, e.type, e.event, e.source_id, e.profile_id, e.timestamp.toISOString()])).toEqual([
      [`lead:${r!.id}:identify`, 'identify', null, source.id, r!.profileId, ago(2 * 3_600_000)],
      [`lead:${r!.id}`, 'track', 'Lead Created', source.id, r!.profileId, ago(2 * 3_600_000)],
    ]);
    expect(events[0]!.traits).toEqual({ name: '李雷', city: '上海', phone: '+8613412341234' });
    expect(events[1]!.properties).toEqual({ leadId: r!.id, source: 'mini_program', externalId: 'mp-1', channel: 'spring', series: '汉', model: '汉 EV', city: '上海' });
    expect(events[1]!.context).toEqual({ traits: { phone: '+8613412341234', name: '李雷', city: '上海' } });
    const person = (await people(fx.store, fx.tenant.tenantId))[0]!;
    expect(person.identifiers).toEqual(['phone::+8613412341234']);
    expect(person.events).toEqual([`lead:${r!.id}`, `lead:${r!.id}:identify`]);
    expect(person.traits).toEqual({ name: '李雷', city: '上海', phone: '+8613412341234' });
    const origin = await fx.store.db.selectFrom('profile_origins').selectAll().where('tenant_id', '=', fx.tenant.tenantId).executeTakeFirstOrThrow();
    expect(origin).toMatchObject({ profile_id: r!.profileId, org_unit_id: null, source: 'mini_program', lead_id: r!.id });
  });

  it('scoring: source, completeness, intent in the last 30 days, recency', async () => {
    const ok = await sendBatch(fx.app, fx.tenant, [
      { type: 'track', userId: 'u1', event: 'Test Drive Booked', context: { traits: { phone: '13412341234' } }, timestamp: ago(3 * DAY), messageId: 'e1' },
      { type: 'track', userId: 'u1', event: 'Content Viewed', timestamp: ago(2 * DAY), messageId: 'e2' },
      { type: 'track', userId: 'u1', event: 'Content Viewed', timestamp: ago(DAY), messageId: 'e3' },
      { type: 'track', userId: 'u1', event: 'Price Inquiry', timestamp: ago(40 * DAY), messageId: 'e4' },
    ]);
    expect(ok.statusCode, ok.body).toBe(200);
    const [r] = await intake({ source: 'website', externalId: 'w-1', name: '王', phone: '13412341234', city: '上海', series: '汉', model: '汉 EV', createdAt: ago(30 * 60_000) });
    expect(r!.dedup).toBe('merged');
    expect(r!.scoreFactors).toEqual([
      { factor: 'source', points: 30, detail: 'website' },
      { factor: 'completeness', points: 30, detail: 'full phone +15, name +5, city +4, series +4, model +2' },
      { factor: 'intent', points: 12, detail: 'Test Drive Booked ×1 +10, Content Viewed ×2 +2' },
      { factor: 'recency', points: 15, detail: 'received 30 min after it was created' },
    ]);
    expect(r!.score).toBe(87);

    const [m] = await intake({ source: 'xiaohongshu', externalId: 'x-1', phone: '139****0000', province: '浙江', createdAt: ago(4 * DAY) });
    expect(m!.scoreFactors).toEqual([
      { factor: 'source', points: 14, detail: 'xiaohongshu' },
      { factor: 'completeness', points: 5, detail: 'masked phone +3, province +2' },
      { factor: 'intent', points: 0, detail: 'no intent events in the last 30 days' },
      { factor: 'recency', points: 2, detail: 'received 4 days after it was created' },
    ]);
    expect(m!.score).toBe(21);
  });
});
