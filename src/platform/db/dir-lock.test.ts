import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from './dir-lock.js';
import { openStore } from './store.js';

describe('PGlite data folder lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siyu-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener while the first holds the folder, and frees it on close', async () => {
    const dataDir = join(dir, 'a');
    const first = await openStore({ engine: 'pglite', dataDir });
    await expect(openStore({ engine: 'pglite', dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(openStore({ engine: 'pglite', dataDir })).rejects.toThrow(/in use by another Siyu process \(pid \d+\)/);
    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const again = await openStore({ engine: 'pglite', dataDir });
    await again.close();
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = join(dir, 'b');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(`${dataDir}.lock`, dead);
    const store = await openStore({ engine: 'pglite', dataDir });
    await store.close();
  });
});

describe('PGlite data folder lock after a restart', () => {
  it('takes over a lock holding our own pid that this process never took (PID 1 in a restarted container)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siyu-lock-own-'));
    try {
      const dataDir = join(dir, 'c');
      writeFileSync(`${dataDir}.lock`, String(process.pid));
      const store = await openStore({ engine: 'pglite', dataDir });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
