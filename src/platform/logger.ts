import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat } from './config.js';

export type { Logger };

export interface LoggerOutput {
  /** Absent: `auto`. */
  format?: LogFormat | undefined;
  /** Where lines go; absent, stdout. */
  destination?: DestinationStream | undefined;
}

/**
 * Logs with secrets redacted: JSON lines, or with format `pretty` (or `auto` on a terminal's stdout)
 * one readable line per entry: colour, local time, no pid/hostname/service. The pretty lines are
 * formatted in-process and written synchronously, so a log line written just before an exit is
 * not lost and compiled builds need no worker thread.
 */
export function createLogger(level: string, output: DestinationStream | LoggerOutput = {}): Logger {
  const { format = 'auto', destination } = 'write' in output ? { destination: output } : output;
  const options = {
    level,
    base: { service: 'siyu' },
    redact: {
      paths: ['req.headers.authorization', 'writeKey', '*.writeKey', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  const readable = format === 'pretty' || (format === 'auto' && !destination && process.stdout.isTTY);
  if (readable) return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}

function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const format = pretty.prettyFactory({
    colorize: !destination && pretty.isColorSupported,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => void out.write(format(line)) };
}
