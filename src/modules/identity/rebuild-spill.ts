import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes per event record of a rebuild. */
export const RECORD = 40;

/** Per-event records in a temporary file: id, received_at (µs), new cluster, old profile id. */
export class EventSpill {
  private readonly dir = mkdtempSync(join(tmpdir(), 'siyu-rebuild-'));
  private readonly fd = openSync(join(this.dir, 'events'), 'w+');
  count = 0;

  write(buf: Buffer): void {
    writeSync(this.fd, buf, 0, buf.length, this.count * RECORD);
    this.count += buf.length / RECORD;
  }

  /** Calls `fn(buf, offset)` for every record, in order; `afterBlock` (awaited) after each block of records. */
  async scan(fn: (buf: Buffer, off: number) => void, afterBlock?: () => Promise<void>): Promise<void> {
    const per = 16_384;
    const buf = Buffer.allocUnsafe(per * RECORD);
    for (let start = 0; start < this.count; start += per) {
      const n = Math.min(per, this.count - start);
      readSync(this.fd, buf, 0, n * RECORD, start * RECORD);
      for (let i = 0; i < n; i++) fn(buf, i * RECORD);
      if (afterBlock) await afterBlock();
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
