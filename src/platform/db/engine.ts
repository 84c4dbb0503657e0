/** The small surface Siyu needs from a database engine; implemented for PGlite and node-postgres. */
export interface SqlResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string;
}

/** One connection, held until `release()`. */
export interface SqlSession {
  query(sql: string, parameters: readonly unknown[]): Promise<SqlResult>;
  /** `COPY ... FROM STDIN` with CSV (or text) data; returns the number of rows copied. */
  copyFrom(sql: string, data: Buffer): Promise<number>;
  /** Several statements in one string (simple protocol); returns the rows of the last one. */
  exec(sql: string): Promise<Record<string, unknown>[]>;
  release(): void;
}

export type EngineKind = 'pglite' | 'postgres';

export interface SqlEngine {
  readonly kind: EngineKind;
  session(): Promise<SqlSession>;
  close(): Promise<void>;
}
