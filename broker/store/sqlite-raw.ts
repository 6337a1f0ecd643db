/**
 * The better-sqlite3 connection behind a Kysely SQLite database, for the issue path's statements
 * (bench/README.md, broker-issue): building a query through Kysely cost more than running it.
 * Statements are prepared once and kept; each runs synchronously on the one connection.
 */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { BrokerDatabase } from './schema.ts';

const connections = new WeakMap<Kysely<BrokerDatabase>, Database.Database>();

/** Remembers the connection `db` runs on (called by `openBrokerDatabase`). */
export function registerSqliteConnection(
  db: Kysely<BrokerDatabase>,
  sqlite: Database.Database,
): void {
  connections.set(db, sqlite);
}

/** The connection `db` runs on, if it was opened by `openBrokerDatabase`. */
export function sqliteConnectionOf(db: Kysely<BrokerDatabase>): Database.Database | undefined {
  return connections.get(db);
}

/** Prepared statements of one connection, each prepared on first use and kept. */
export interface StatementCache {
  /** The statement for `sql` (only ever a constant or built from column names, never input). */
  get(sql: string): Database.Statement;
}

/** A statement cache over `sqlite`. */
export function statementCache(sqlite: Database.Database): StatementCache {
  const statements = new Map<string, Database.Statement>();
  return {
    get(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
