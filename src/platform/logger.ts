import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'siyu' },
    redact: {
      paths: ['req.headers.authorization', 'writeKey', '*.writeKey', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
