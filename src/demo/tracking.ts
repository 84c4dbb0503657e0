import type { BatchMessage } from '../contracts/ingest.js';
import type { Api } from './http.js';
import type { PlannedTrack, TrackSource } from './journeys.js';
import { inParallel } from './setup.js';

/** Tracking events through the Segment-spec `/v1/batch`, as the brand's website, app and WeChat apps send them. */

const BATCH_MESSAGES = 400;
const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

export async function sendTracks(api: Api, writeKeys: Record<TrackSource, string>, tracks: readonly PlannedTrack[], onProgress: (done: number, total: number) => void): Promise<void> {
  const bySource = new Map<TrackSource, BatchMessage[]>();
  for (const t of tracks) {
    const list = bySource.get(t.source) ?? [];
    list.push(t.message);
    bySource.set(t.source, list);
  }
  const batches: { source: TrackSource; messages: BatchMessage[] }[] = [];
  for (const [source, messages] of bySource) {
    // In time order, as the devices sent them: an anonymous visitor's pages before their sign-in.
    messages.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? ''));
    for (let i = 0; i < messages.length; i += BATCH_MESSAGES) batches.push({ source, messages: messages.slice(i, i + BATCH_MESSAGES) });
  }
  let done = 0;
  await inParallel(batches, 2, async (b) => {
    const res = await api.raw({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', authorization: basic(writeKeys[b.source]) },
      payload: JSON.stringify({ batch: b.messages }),
    });
    if (res.status !== 200) throw new Error(`POST /v1/batch answered ${res.status}: ${res.body.slice(0, 500)}`);
    done += b.messages.length;
    onProgress(done, tracks.length);
  });
}
