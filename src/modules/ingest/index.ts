export { ingestBatch, type IngestDeps, type IngestSource } from './service.js';
export { listEvents } from './events.repo.js';
export { checkMessageSizes, decodeBody } from './body.js';
export { correctedTimestamp, normalizeBatch, normalizeMessage, type EventRow } from './normalize.js';
export { appendEvents, ensureEventPartitions, monthKey } from './repo.js';
