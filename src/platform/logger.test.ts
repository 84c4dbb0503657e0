import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function sink() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('logger formats', () => {
  it('writes JSON lines with format json, secrets redacted', () => {
    const { lines, destination } = sink();
    createLogger('info', { format: 'json', destination }).info({ token: 'at_secret' }, 'hello');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, msg: 'hello', service: 'siyu', token: '[redacted]' });
  });

  it('writes JSON to a given destination with format auto (not a terminal)', () => {
    const { lines, destination } = sink();
    createLogger('info', destination).info('hello');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'hello' });
  });

  it('writes one readable line with format pretty: time, level, message; no pid, hostname or service', () => {
    const { lines, destination } = sink();
    createLogger('info', { format: 'pretty', destination }).info({ token: 'at_secret', port: 3000 }, 'hello');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(() => JSON.parse(line)).toThrow();
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: hello \{"token":"\[redacted\]","port":3000\}\n$/);
    expect(line).not.toMatch(/pid|hostname|siyu/);
  });

  it('keeps the level with format pretty', () => {
    const { lines, destination } = sink();
    const logger = createLogger('warn', { format: 'pretty', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.join('')).toMatch(/WARN: shown/);
    expect(lines.join('')).not.toContain('hidden');
  });
});
