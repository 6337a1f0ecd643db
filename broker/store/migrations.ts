/** In-code migrations of the broker database. Append only; never edit a shipped one. */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('grants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('ticket', 'text')
      .addColumn('requested_seconds', 'integer', (c) => c.notNull())
      .addColumn('granted_seconds', 'integer', (c) => c.notNull())
      .addColumn('approvals_required', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('activated_at', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('ended_at', 'text')
      .execute();
    await db.schema
      .createIndex('grants_owner')
      .on('grants')
      .columns(['issuer', 'subject'])
      .execute();
    await db.schema
      .createIndex('grants_deadline')
      .on('grants')
      .columns(['status', 'expires_at'])
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * The audit log is append-only inside the database too: the broker never updates or deletes a
 * record, so refuse it outright. Someone with the file can drop these triggers; the hash chain
 * is what catches that (`hourglass-broker audit verify`).
 */
const appendOnlyAudit: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [name, op] of [
      ['audit_no_update', 'UPDATE'],
      ['audit_no_delete', 'DELETE'],
    ] as const) {
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${op} ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
        )
        .execute(db);
    }
  },
};

/** Pending requests get a deadline of their own: unapproved, they expire (DESIGN: request TTL). */
const requestDeadline: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('grants').addColumn('request_expires_at', 'text').execute();
  },
};

/** Client retries carry an idempotency key; one grant per owner and key. */
const idempotencyKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('grants').addColumn('idempotency_key', 'text').execute();
    await db.schema
      .createIndex('grants_idempotency')
      .unique()
      .on('grants')
      .columns(['issuer', 'subject', 'idempotency_key'])
      .execute();
  },
};

/** The migrations, keyed in order. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve({
      '0001-grants-and-audit': initial,
      '0002-append-only-audit': appendOnlyAudit,
      '0003-request-deadline': requestDeadline,
      '0004-idempotency-keys': idempotencyKeys,
    }),
};
