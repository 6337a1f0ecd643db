/** The repository port on PostgreSQL, safe for several broker replicas on one database. */
import type { Kysely } from 'kysely';
import type { GrantRepository } from './grant-repository.ts';
import { kyselyGrantRepository } from './kysely-grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import { postgresDialect } from './store-dialect.ts';

/** The PostgreSQL implementation of the repository port. */
export function postgresGrantRepository(db: Kysely<BrokerDatabase>): GrantRepository {
  return kyselyGrantRepository(db, postgresDialect);
}
