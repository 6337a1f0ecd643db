/**
 * Opens the broker's store: SQLite at `databasePath` (the embedded default) or PostgreSQL at
 * `databaseUrl` (several replicas may share it). Brings the schema up to date either way.
 */
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { GrantRepository } from './grant-repository.ts';
import { openBrokerDatabase } from './open-database.ts';
import { pgMigrationProvider } from './pg-migrations.ts';
import { postgresGrantRepository } from './postgres-grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import { sqliteGrantRepository } from './sqlite-grant-repository.ts';
import type { StoreBackend } from './store-dialect.ts';

/** Where the store lives: a SQLite file, or a PostgreSQL URL (which wins when both are set). */
export interface StoreLocation {
  databasePath?: string | undefined;
  databaseUrl?: string | undefined;
}

/** An open store. */
export interface OpenStore {
  backend: StoreBackend;
  db: Kysely<BrokerDatabase>;
  repo: GrantRepository;
}

async function migrate(
  db: Kysely<BrokerDatabase>,
  provider: MigrationProvider,
  where: string,
  migrationTableSchema?: string,
): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  }).migrateToLatest();
  if (!error) return;
  await db.destroy();
  throw new Error(
    `cannot migrate the broker database at ${where}: ${error instanceof Error ? error.message : 'unknown error'}`,
  );
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

const postgresDatabases = new WeakSet<Kysely<BrokerDatabase>>();

/** The repository over a database opened here or by `openBrokerDatabase` (SQLite). */
export function repositoryFor(db: Kysely<BrokerDatabase>): GrantRepository {
  return postgresDatabases.has(db) ? postgresGrantRepository(db) : sqliteGrantRepository(db);
}

/** Opens PostgreSQL at `url` with a pool of `max` connections and migrates it. */
export async function openPostgresDatabase(url: string, max = 10): Promise<Kysely<BrokerDatabase>> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // A checked-out client between statements (a transaction's turn) has no pool listener: its
  // connection dropping emits 'error' on the client itself, which would crash the broker. The
  // statement that uses it next fails instead, and answers 503 (store unavailable).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = new Kysely<BrokerDatabase>({ dialect: new PostgresDialect({ pool }) });
  // The migration tables live in the schema the URL's search_path names (not whichever schema
  // of the database happens to hold a table of that name already).
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  await migrate(db, pgMigrationProvider, redactUrl(url), current.rows[0]?.schema);
  postgresDatabases.add(db);
  return db;
}

/** Opens the store named by `location`. */
export async function openStore(location: StoreLocation): Promise<OpenStore> {
  if (location.databaseUrl) {
    const db = await openPostgresDatabase(location.databaseUrl);
    return { backend: 'postgres', db, repo: postgresGrantRepository(db) };
  }
  if (!location.databasePath) throw new Error('broker config: set databasePath or databaseUrl');
  const db = await openBrokerDatabase(location.databasePath);
  return { backend: 'sqlite', db, repo: sqliteGrantRepository(db) };
}
