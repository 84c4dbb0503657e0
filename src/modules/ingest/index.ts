export { appendTracked, ingestBatch, prepareBatch, type IngestDeps, type IngestSource, type PreparedBatch } from './service.js';
export { listEvents } from './events.repo.js';
export { checkNesting, decodeBody } from './body.js';
export { checkRows } from './limits.js';
export { correctedTimestamp, normalizeBatch, normalizeMessage, type EventRow } from './normalize.js';
export { COPY_EVENTS_SQL, appendEvents, type AppendMode, encodeEventRows, ensureEventPartitions, monthKey } from './repo.js';
export { ingestOwnMessages, type OwnMessage, type OwnMessageResult } from './within.js';
export { onEventsQueued } from './queued.js';
