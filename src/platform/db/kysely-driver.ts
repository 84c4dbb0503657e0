import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { isCopyQuery } from './copy.js';
import type { SqlEngine, SqlSession } from './engine.js';

class SessionConnection implements DatabaseConnection {
  constructor(readonly session: SqlSession) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiled;
    if (isCopyQuery(sql, parameters)) {
      const copied = await this.session.copyFrom(sql, parameters[0].data);
      return { rows: [], numAffectedRows: BigInt(copied) };
    }
    const r = await this.session.query(sql, parameters);
    const rows: unknown[] = r.rows;
    const affects = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(r.command);
    return {
      rows: rows as R[], // Kysely's builder carries the row type; the driver only moves rows.
      ...(affects ? { numAffectedRows: BigInt(r.rowCount) } : {}),
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiled);
  }
}

class EngineDriver implements Driver {
  constructor(private readonly engine: SqlEngine) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SessionConnection(await this.engine.session());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : '';
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${level}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof SessionConnection) connection.session.release();
  }

  async destroy(): Promise<void> {
    await this.engine.close();
  }
}

/** PostgreSQL SQL through our engine port, so Kysely runs unchanged on PGlite and on a server. */
export function engineDialect(engine: SqlEngine): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new EngineDriver(engine),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
}
