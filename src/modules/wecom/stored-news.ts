import { EventEmitter } from 'node:events';

/**
 * In-process news that a callback was stored, so a worker in the same process processes it at once
 * (a welcome message has 20 s) instead of at its next poll. Workers in other processes poll.
 */
const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function onCallbackStored(listener: (tenantId: string) => void): () => void {
  emitter.on('stored', listener);
  return () => emitter.off('stored', listener);
}

export function announceCallbackStored(tenantId: string): void {
  emitter.emit('stored', tenantId);
}
