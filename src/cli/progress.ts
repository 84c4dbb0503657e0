/**
 * A progress line for long CLI commands, on stderr so that stdout stays the command's result. On a
 * terminal one line is redrawn in place (at most every 100 ms); otherwise (a log file, CI) a plain
 * line is written when the step changes and every few seconds.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** `label` names the step ("reading events"); `total` 0 means unknown. */
  update(label: string, done: number, total: number): void;
  /** Ends the line (a final redraw on a terminal). */
  finish(): void;
}

export interface ProgressOptions {
  /** Non-terminal output: one line per this many ms (default 5000). */
  intervalMs?: number;
  now?: () => number;
}

const WIDTH = 24;
const count = (n: number) => n.toLocaleString('en-US');

export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const seconds = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (total <= 0) return `${label} ${count(done)}  ${seconds}`;
  const share = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(share * WIDTH);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${count(done)}/${count(total)}  ${seconds}`;
}

export function createProgress(stream: ProgressStream = process.stderr, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : (options.intervalMs ?? 5000);
  const started = now();
  let lastLabel = '';
  let lastDraw = -Infinity;
  let pending: { label: string; done: number; total: number } | null = null;
  let drawn = false;

  const draw = (label: string, done: number, total: number) => {
    let line = formatProgress(label, done, total, now() - started);
    if (tty) {
      const columns = stream.columns ?? 80;
      if (line.length >= columns) line = line.slice(0, columns - 1);
      stream.write(`\r${line}\x1b[K`);
    } else {
      stream.write(`${line}\n`);
    }
    drawn = true;
    lastDraw = now();
    lastLabel = label;
    pending = null;
  };

  return {
    update(label, done, total) {
      if (label !== lastLabel || now() - lastDraw >= interval || (total > 0 && done >= total)) draw(label, done, total);
      else pending = { label, done, total };
    },
    finish() {
      if (pending) draw(pending.label, pending.done, pending.total);
      if (tty && drawn) stream.write('\n');
    },
  };
}
