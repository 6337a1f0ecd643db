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

/**
 * The whole lifecycle (issue 5): approvals, extension budget, wipe receipts, an indexed deadline,
 * an outbox of effects, a durable event log and the token ids of issued credentials.
 */
const lifecycle: Migration = {
  async up(db: Kysely<unknown>) {
    const add = (name: string, type: 'text' | 'integer', notNullDefault?: string | number) =>
      db.schema
        .alterTable('grants')
        .addColumn(name, type, (c) =>
          notNullDefault === undefined ? c : c.notNull().defaultTo(notNullDefault),
        )
        .execute();
    await add('requester_name', 'text');
    await add('session_ends_at', 'text');
    await add('approver_groups', 'text', '[]');
    await add('approvals', 'text', '[]');
    await add('ended_by', 'text');
    await add('end_reason', 'text');
    await add('unused_seconds', 'integer');
    await add('extension_count', 'integer', 0);
    await add('extension_seconds', 'integer', 0);
    await add('pending_extension', 'text');
    await add('wipe', 'text');
    await add('credential_issued_at', 'text');
    await add('deadline_at', 'text');
    await add('version', 'integer', 0);
    await sql`UPDATE grants SET deadline_at = CASE status WHEN 'active' THEN expires_at WHEN 'pending' THEN request_expires_at ELSE NULL END`.execute(
      db,
    );
    await sql`UPDATE grants SET credential_issued_at = (SELECT max(a.at) FROM audit a WHERE a.grant_id = grants.id AND a.event = 'credential_issued')`.execute(
      db,
    );
    // Due grants are found through this index (`deadline_at <= now order by deadline_at`), never a scan.
    await db.schema
      .createIndex('grants_due')
      .on('grants')
      .column('deadline_at')
      .where(sql.ref('deadline_at'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('grants_owner_role')
      .on('grants')
      .columns(['issuer', 'subject', 'role', 'status'])
      .execute();
    await db.schema
      .createTable('outbox')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('done_at', 'text')
      .execute();
    await db.schema
      .createIndex('outbox_due')
      .on('outbox')
      .column('next_attempt_at')
      .where(sql.ref('done_at'), 'is', null)
      .execute();
    await db.schema
      .createTable('events')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('groups', 'text', (c) => c.notNull())
      .addColumn('grant', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('issued_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('issued_tokens_grant')
      .on('issued_tokens')
      .column('grant_id')
      .execute();
  },
};

/**
 * Audit for the incident review (issue 7): indexes for filtered reads, and signed checkpoints of
 * the chain head (append-only too), so a truncated tail or a re-hashed chain is detected.
 */
const auditReview: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('audit_grant').on('audit').column('grant_id').execute();
    await db.schema.createIndex('audit_at').on('audit').column('at').execute();
    await db.schema.createIndex('grants_ticket').on('grants').column('ticket').execute();
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('head_seq', 'integer', (c) => c.notNull())
      .addColumn('head_hash', 'text', (c) => c.notNull())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();
    for (const [name, op] of [
      ['audit_checkpoints_no_update', 'UPDATE'],
      ['audit_checkpoints_no_delete', 'DELETE'],
    ] as const) {
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${op} ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
        )
        .execute(db);
    }
  },
};

/** Grants whose revocation at the target was given up carry the mark (issue 6). */
const irrevocableMark: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('grants').addColumn('irrevocable_at', 'text').execute();
  },
};

/** Webhook deliveries ride on the outbox: their payload snapshot (issue 7). */
export const outboxPayload: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('outbox').addColumn('payload', 'text').execute();
  },
};

/**
 * `grants_owner (issuer, subject)` is a prefix of `grants_owner_role` and `grants_idempotency`,
 * which serve every read by owner: one index fewer to write per grant (bench/README.md).
 */
const dropOwnerIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('grants_owner').ifExists().execute();
  },
};

/**
 * Provider effects of one grant are carried out in order, one at a time: an entry is claimable
 * only while no earlier unfinished provider entry of its grant exists. This index answers that
 * check per due entry (issue 18: a create claimed after its grant's revoke left a login behind).
 */
export const outboxGrantOrder: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index outbox_grant_pending on outbox (grant_id, seq)
      where done_at is null and kind = 'provider'`.execute(db);
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
      '0005-lifecycle': lifecycle,
      '0006-audit-review': auditReview,
      '0007-irrevocable-mark': irrevocableMark,
      '0008-outbox-payload': outboxPayload,
      '0009-drop-owner-index': dropOwnerIndex,
      '0010-outbox-grant-order': outboxGrantOrder,
    }),
};
