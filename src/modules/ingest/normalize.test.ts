import { describe, expect, it } from 'vitest';
import { batchSchema } from '../../contracts/ingest.js';
import { correctedTimestamp, normalizeBatch } from './normalize.js';

const origin = { tenantId: 't', sourceId: 's', receivedAt: new Date('2026-11-22T12:00:00.000Z') };

describe('clock-skew correction', () => {
  it('timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
    const ts = correctedTimestamp(origin.receivedAt, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:30Z'));
    expect(ts.toISOString()).toBe('2026-11-22T11:59:30.000Z');
  });
  it('without sentAt keeps the client time; without any client time uses receivedAt', () => {
    expect(correctedTimestamp(origin.receivedAt, new Date('2020-01-01T00:00:00Z'), null).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(correctedTimestamp(origin.receivedAt, null, new Date('2020-01-01T00:00:00Z'))).toEqual(origin.receivedAt);
  });
});

describe('normalizeBatch', () => {
  it('applies the batch-level sentAt, prefers originalTimestamp over timestamp, and coerces numeric ids', () => {
    const body = batchSchema.parse({
      sentAt: '2026-11-22T08:00:10Z',
      batch: [
        { type: 'track', userId: 42, event: 'E', timestamp: '2026-11-22T08:00:00Z' },
        { type: 'track', anonymousId: 'a', event: 'E', timestamp: '2026-11-22T07:00:00Z', originalTimestamp: '2026-11-22T08:00:05Z' },
        { type: 'group', userId: 'u', groupId: 7, traits: { n: 1 } },
      ],
    });
    const [a, b, c] = normalizeBatch(body, origin);
    expect(a?.userId).toBe('42');
    expect(a?.timestamp.toISOString()).toBe('2026-11-22T11:59:50.000Z');
    expect(b?.timestamp.toISOString()).toBe('2026-11-22T11:59:55.000Z');
    expect(b?.originalTimestamp?.toISOString()).toBe('2026-11-22T08:00:05.000Z');
    expect(c).toMatchObject({ groupId: '7', traits: '{"n":1}', properties: null, event: null });
  });
});
