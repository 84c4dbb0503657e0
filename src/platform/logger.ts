import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout (or `destination`, for tests), with secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'siyu' },
    redact: {
      paths: ['req.headers.authorization', 'writeKey', '*.writeKey', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
