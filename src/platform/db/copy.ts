/**
 * COPY support shared by both engines. A query whose SQL is `COPY ... FROM STDIN ...` and whose only
 * parameter is a `CopySource` is turned by the engine adapter into a real COPY: PGlite reads it from
 * `/dev/blob`, node-postgres streams it with pg-copy-streams.
 */
export class CopySource {
  constructor(readonly data: Buffer) {}
}

export type CsvValue = string | number | boolean | Date | null | undefined;

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

/** Rows as CSV for `COPY ... WITH (FORMAT csv)`: every value quoted, NULL as an unquoted empty field. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): Buffer {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? [];
    lines[i] = row.map(csvField).join(',');
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

export function isCopyQuery(sql: string, parameters: readonly unknown[]): parameters is readonly [CopySource] {
  return parameters.length === 1 && parameters[0] instanceof CopySource && /^\s*copy\b/i.test(sql);
}
