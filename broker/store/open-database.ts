/** Opens the broker's SQLite database through Kysely and brings its schema up to date. */
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type SqliteDatabase } from 'kysely';
import { migrationProvider } from './migrations.ts';
import type { BrokerDatabase } from './schema.ts';
import { registerSqliteConnection } from './sqlite-raw.ts';

const STATEMENT_CACHE = 500;

/**
 * The connection as Kysely sees it, with prepared statements cached by SQL text: Kysely prepares
 * every query afresh, and preparing was the largest single cost of a commit (bench/README.md).
 */
function cachingStatements(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE) cache.clear();
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Opens (creating if needed, mode 0600) the SQLite file at `path` and runs pending migrations. */
export async function openBrokerDatabase(path: string): Promise<Kysely<BrokerDatabase>> {
  // Created owner-only before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
  if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL: a commit survives a process crash (kill -9); the last commits before a power
  // loss may be lost, never the database's consistency. FULL cost an fsync per grant.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (SQLite's default is 2 MiB): grant ids are random, so the id and owner
  // indexes are read and written all over; with the default most lookups went to the OS.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<BrokerDatabase>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
  });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(
      `cannot migrate the broker database at ${path}: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
  registerSqliteConnection(db, sqlite);
  return db;
}
