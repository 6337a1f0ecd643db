/** The repository port on SQLite (the embedded default). */
import type { Kysely } from 'kysely';
import type { GrantRepository } from './grant-repository.ts';
import { kyselyGrantRepository } from './kysely-grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import { sqliteHotPath } from './sqlite-hot-path.ts';
import { sqliteConnectionOf } from './sqlite-raw.ts';
import { sqliteDialect } from './store-dialect.ts';

/**
 * The SQLite implementation of the repository port: Kysely throughout, but the issue path's
 * reads and its insert and update transactions through prepared statements when the database
 * was opened by `openBrokerDatabase` (bench/README.md, broker-issue).
 */
export function sqliteGrantRepository(db: Kysely<BrokerDatabase>): GrantRepository {
  const repo = kyselyGrantRepository(db, sqliteDialect);
  const sqlite = sqliteConnectionOf(db);
  if (!sqlite) return repo;
  const hot = sqliteHotPath(db, sqlite, repo);
  return {
    ...repo,
    findGrant: hot.findGrant,
    findLiveForRole: hot.findLiveForRole,
    insert: hot.insert,
    update: hot.update,
    async close() {
      await hot.idle();
      await repo.close();
    },
  };
}
