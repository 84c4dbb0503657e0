import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * PGlite does not guard its data folder against a second process, and two processes writing one
 * folder lose acknowledged data. Whoever opens the folder holds `<dataDir>.lock` (with its pid);
 * a lock whose process is gone (e.g. after SIGKILL) is taken over.
 */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the data folder ${dataDir} is in use by another Siyu process (pid ${pid}); stop that process first, ` +
        'or point SIYU_DATA_DIR at another folder (PGlite serves one process; use SIYU_DATABASE_URL for several)',
    );
    this.name = 'DataDirInUseError';
  }
}

function errnoCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/** Folders this process holds: a lock file with our own pid but not in here is stale (e.g. PID 1 again after a container restart). */
const heldHere = new Set<string>();

export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue; // released meanwhile: try again
    }
    const live = holder === process.pid ? heldHere.has(path) : Number.isInteger(holder) && alive(holder);
    if (live) throw new DataDirInUseError(dataDir, holder);
    // Stale. Move it aside atomically: of several processes taking over, one wins the rename and
    // the others find the path free or freshly locked on their next attempt.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(path, aside);
      rmSync(aside, { force: true });
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  throw new Error(`could not lock the data folder ${dataDir}; remove ${path} if no Siyu process uses it`);
}
