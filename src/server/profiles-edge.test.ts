import { describe, expect, it } from 'vitest';
import { json, useAppFixture } from '../testing/app.js';
import { testEngines } from '../testing/engines.js';
import { adminRequest, people, resolveQueued, sendBatch } from '../testing/identity.js';

const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe.each(testEngines)('profile API edge cases on %s', (engine) => {
  const fx = useAppFixture(engine);

  it('a tampered search cursor with an impossible date is a 400, not a 500', async () => {
    for (const at of ['2026-02-31T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '2026-13-01T00:00:00.000000Z']) {
      const res = await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/profiles?cursor=${cursor([at, '00000000-0000-4000-8000-000000000000'])}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(json(res)).toMatchObject({ error: { code: 'invalid_request', details: { field: 'cursor' } } });
    }
  });

  it('a profile id in upper case names the same person (no duplicate household member, no 500)', async () => {
    expect((await sendBatch(fx.app, fx.tenant, [{ type: 'identify', userId: 'u1', messageId: 'm1' }])).statusCode).toBe(200);
    await resolveQueued(fx.store, fx.tenant.tenantId);
    const [person] = await people(fx.store, fx.tenant.tenantId);
    const res = await adminRequest(fx.app, fx.tenant, 'POST', '/api/v1/households', { members: [{ profileId: person!.id }, { profileId: person!.id.toUpperCase() }] });
    expect(res.statusCode, res.body).toBe(400);
    expect(json(res)).toMatchObject({ error: { code: 'invalid_request', details: { field: 'members[1].profileId' } } });
    const upper = await adminRequest(fx.app, fx.tenant, 'GET', `/api/v1/profiles/${person!.id.toUpperCase()}`);
    expect(upper.statusCode, upper.body).toBe(200);
    expect(json(upper)).toMatchObject({ id: person!.id });
  });
});
