/** The repository port on SQLite (the embedded default). */
import type { Kysely } from 'kysely';
import type { GrantRepository } from './grant-repository.ts';
import { kyselyGrantRepository } from './kysely-grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import { sqliteDialect } from './store-dialect.ts';

/** The SQLite implementation of the repository port. */
export function sqliteGrantRepository(db: Kysely<BrokerDatabase>): GrantRepository {
  return kyselyGrantRepository(db, sqliteDialect);
}
