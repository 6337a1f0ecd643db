/** Opens the broker's SQLite database through Kysely and brings its schema up to date. */
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations.ts';
import type { BrokerDatabase } from './schema.ts';

/** Opens (creating if needed) the SQLite file at `path` and runs pending migrations. */
export async function openBrokerDatabase(path: string): Promise<Kysely<BrokerDatabase>> {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<BrokerDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(
      `cannot migrate the broker database at ${path}: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
  return db;
}
