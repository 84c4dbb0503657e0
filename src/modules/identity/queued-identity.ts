import { z } from 'zod';
import { VEHICLE_ROLES } from '../../contracts/vehicles.js';
import type { Extracted } from './extract.js';

/**
 * What the resolver needs of each queued event, written with the queue row by the tracking API,
 * which has just read it (and refused the batch if an explicit identifier or VIN was unusable): the
 * resolver then reads neither the events nor their JSON again. Compact JSON text, one entry per event
 * in the row's order: [messageId, event time (ms), identifiers as [type, scope, value], alias
 * previousId, identify traits, vehicles].
 */
export interface QueuedIdentity {
  messageId: string;
  at: Date;
  extracted: Extracted;
}

const vehicleSchema = z.object({
  vin: z.string(),
  role: z.enum(VEHICLE_ROLES),
  series: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  modelYear: z.number().nullable().optional(),
});

const entrySchema = z.tuple([
  z.string(),
  z.number(),
  z.array(z.tuple([z.string(), z.string(), z.string()])),
  z.string().nullable(),
  z.record(z.string(), z.unknown()).nullable(),
  z.array(vehicleSchema),
]);

const rowSchema = z.object({ source: z.string(), events: z.array(entrySchema) });

export function encodeQueuedIdentity(sourceId: string, items: readonly QueuedIdentity[]): string {
  return JSON.stringify({
    source: sourceId,
    events: items.map((q) => [
      q.messageId,
      q.at.getTime(),
      q.extracted.identifiers.map((i) => [i.type, i.scope, i.value]),
      q.extracted.previousId,
      q.extracted.traits,
      q.extracted.vehicles,
    ]),
  });
}

/** The queue row's events, or null when the text is not what encodeQueuedIdentity writes (another version wrote it, or it was damaged). */
export function decodeQueuedIdentity(text: string): { sourceId: string; items: QueuedIdentity[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const checked = rowSchema.safeParse(parsed);
  if (!checked.success) return null;
  const row = checked.data;
  return {
    sourceId: row.source,
    items: row.events.map(([messageId, at, ids, previousId, traits, vehicles]) => ({
      messageId,
      at: new Date(at),
      extracted: {
        identifiers: ids.map(([type, scope, value]) => ({ type, scope, value })),
        previousId,
        traits,
        vehicles: vehicles.map((v) => ({ vin: v.vin, role: v.role, series: v.series ?? null, model: v.model ?? null, modelYear: v.modelYear ?? null })),
      },
    })),
  };
}
