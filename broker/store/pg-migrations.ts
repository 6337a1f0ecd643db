/** In-code migrations of the broker database on PostgreSQL. Append only; never edit a shipped one. */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { outboxGrantOrder, outboxPayload } from './migrations.ts';

/** The lifecycle schema as SQLite has it after `0005-lifecycle`, plus the replicas' claim columns. */
const schema: Migration = {
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
      .addColumn('request_expires_at', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('requester_name', 'text')
      .addColumn('session_ends_at', 'text')
      .addColumn('approver_groups', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('approvals', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('ended_by', 'text')
      .addColumn('end_reason', 'text')
      .addColumn('unused_seconds', 'integer')
      .addColumn('extension_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('extension_seconds', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pending_extension', 'text')
      .addColumn('wipe', 'text')
      .addColumn('credential_issued_at', 'text')
      .addColumn('deadline_at', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      // Unused since expiry locks due rows in its own transaction (kept: a migration is history).
      .addColumn('claimed_until', 'text')
      .addColumn('claimed_deadline', 'text')
      .execute();
    await sql`create unique index grants_idempotency on grants (issuer, subject, idempotency_key)`.execute(
      db,
    );
    await sql`create index grants_owner_role on grants (issuer, subject, role, status)`.execute(db);
    await sql`create index grants_due on grants (deadline_at) where deadline_at is not null`.execute(
      db,
    );
    await db.schema
      .createTable('audit')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('outbox')
      .addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('done_at', 'text')
      .execute();
    await sql`create index outbox_due on outbox (next_attempt_at) where done_at is null`.execute(
      db,
    );
    await db.schema
      .createTable('events')
      .addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
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
    await sql`create index issued_tokens_grant on issued_tokens (grant_id)`.execute(db);
  },
};

/**
 * The audit log is append-only inside the database: UPDATE, DELETE and TRUNCATE are refused. A
 * superuser can drop the triggers; the hash chain and signed checkpoints catch what follows.
 */
const appendOnlyAudit: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create function hourglass_audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'the audit log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_no_update before update or delete on audit
      for each row execute function hourglass_audit_append_only()`.execute(db);
    await sql`create trigger audit_no_truncate before truncate on audit
      for each statement execute function hourglass_audit_append_only()`.execute(db);
  },
};

/** Indexes for filtered audit reads, and signed checkpoints of the chain head (append-only). */
const auditReview: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index audit_grant on audit (grant_id)`.execute(db);
    await sql`create index audit_at on audit (at)`.execute(db);
    await sql`create index grants_ticket on grants (ticket)`.execute(db);
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('seq', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('head_seq', 'integer', (c) => c.notNull())
      .addColumn('head_hash', 'text', (c) => c.notNull())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();
    await sql`create trigger audit_checkpoints_no_update before update or delete on audit_checkpoints
      for each row execute function hourglass_audit_append_only()`.execute(db);
    await sql`create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
      for each statement execute function hourglass_audit_append_only()`.execute(db);
  },
};

/** Grants whose revocation at the target was given up carry the mark (issue 6). */
const irrevocableMark: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('grants').addColumn('irrevocable_at', 'text').execute();
  },
};

/**
 * One live (active or pending) grant per owner and role, held by the database: an insert that
 * would make a second one fails, so the insert transaction needs no owner lock and no read first
 * (bench/README.md, broker-issue: two round trips fewer per request).
 */
const oneLiveGrant: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create unique index grants_one_live on grants (issuer, subject, role)
      where status in ('active', 'pending')`.execute(db);
  },
};

/**
 * Takes the audit chain lock and then reads the chain head, in one call: a VOLATILE PL/pgSQL
 * function runs each query with a snapshot of its own, so the head is read after the lock is held
 * and sees every append committed before (bench/README.md: one round trip fewer under the lock).
 * `after_rows` is unused: it makes the caller's query compute its argument (the grant statement's
 * row count) before the call, so the lock is never waited for before the grant rows are written.
 */
const chainHeadFunction: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create function hourglass_lock_chain_head(lock_key bigint, after_rows integer)
      returns table (head_seq integer, head_hash text) language plpgsql volatile as $$
      begin
        perform pg_advisory_xact_lock(lock_key);
        return query select a.seq, a.hash from audit a order by a.seq desc limit 1;
      end $$`.execute(db);
  },
};

/** The PostgreSQL migrations, keyed in order. */
export const pgMigrationProvider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve({
      '0001-schema': schema,
      '0002-append-only-audit': appendOnlyAudit,
      '0003-audit-review': auditReview,
      '0004-irrevocable-mark': irrevocableMark,
      '0005-outbox-payload': outboxPayload,
      '0006-one-live-grant': oneLiveGrant,
      '0007-chain-head-function': chainHeadFunction,
      '0008-outbox-grant-order': outboxGrantOrder,
    }),
};
