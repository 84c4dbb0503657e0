/**
 * COPY support shared by both engines. A query whose SQL is `COPY ... FROM STDIN ...` and whose only
 * parameter is a `CopySource` is turned by the engine adapter into a real COPY: PGlite reads it from
 * `/dev/blob`, node-postgres streams it with pg-copy-streams.
 */
export class CopySource {
  constructor(readonly data: Buffer) {}
}

export type CopyValue = string | number | boolean | Date | null | undefined;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;

function textField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  // JSON text rarely holds a raw backslash, tab or newline outside escapes: test before replacing.
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c] ?? c) : text;
}

/**
 * Rows in COPY's text format (tab-separated, `\N` for NULL, backslash escapes): cheaper to build
 * and to parse than CSV. Use with `COPY ... FROM STDIN` (no FORMAT option).
 */
export function toCopyText(rows: readonly (readonly CopyValue[])[]): Buffer {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) out += (i === 0 ? '' : '\t') + textField(row[i]);
    out += '\n';
  }
  return Buffer.from(out, 'utf8');
}

export function isCopyQuery(sql: string, parameters: readonly unknown[]): parameters is readonly [CopySource] {
  return parameters.length === 1 && parameters[0] instanceof CopySource && /^\s*copy\b/i.test(sql);
}
