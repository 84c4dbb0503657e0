import { EventEmitter } from 'node:events';

/**
 * In-process news that a tenant's events were stored and queued for One ID, so a resolver in the
 * same process starts at once instead of at its next poll. Resolvers in other processes poll.
 */
const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function onEventsQueued(listener: (tenantId: string) => void): () => void {
  emitter.on('queued', listener);
  return () => emitter.off('queued', listener);
}

export function announceQueued(tenantId: string): void {
  emitter.emit('queued', tenantId);
}
