/**
 * Reads the audit evidence without changing it: SQLite opened read-only (no migration, no journal
 * mode switch, the file must exist), PostgreSQL in read-only transactions. Raw drivers, so nothing
 * on the way can write.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Selectable } from 'kysely';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import { fromRow } from '../store/grant-row.ts';
import type { GrantRow } from '../store/schema.ts';
import type { ChainedAuditRow } from './append-audit.ts';
import type { ChainedRecord } from './audit-chain.ts';
import type { StoredCheckpoint } from './evidence.ts';

/** What the verifier reads. */
export interface Evidence {
  records: ChainedRecord[];
  checkpoints: StoredCheckpoint[];
  missingTriggers: string[];
}

interface CheckpointRaw {
  seq: number;
  at: string;
  head_seq: number;
  head_hash: string;
  signature: string;
}

const RECORDS = 'select * from audit order by seq';
const CHECKPOINTS =
  'select seq, at, head_seq, head_hash, signature from audit_checkpoints order by seq';
const SQLITE_TRIGGERS = ['audit_no_update', 'audit_no_delete'];
const PG_TRIGGERS = ['audit_no_update', 'audit_no_truncate'];

const toRecord = (r: ChainedAuditRow): ChainedRecord => ({
  seq: r.seq,
  at: r.at,
  event: r.event,
  grantId: r.grant_id,
  actor: r.actor,
  role: r.role,
  details: r.details,
  prevHash: r.prev_hash,
  hash: r.hash,
});
const toCheckpoint = (r: CheckpointRaw): StoredCheckpoint => ({
  seq: r.seq,
  at: r.at,
  headSeq: r.head_seq,
  headHash: r.head_hash,
  signature: r.signature,
});

/** Reads a broker SQLite file read-only. Throws when it is missing or not a broker database. */
export function readSqliteEvidence(path: string): Evidence {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(
      db
        .prepare("select name from sqlite_master where type = 'table'")
        .all()
        .map((r) => (r as { name: string }).name),
    );
    if (!tables.has('audit')) throw new Error(`${path} has no audit table: not a broker database`);
    const triggers = new Set(
      db
        .prepare("select name from sqlite_master where type = 'trigger'")
        .all()
        .map((r) => (r as { name: string }).name),
    );
    return {
      records: (db.prepare(RECORDS).all() as ChainedAuditRow[]).map(toRecord),
      checkpoints: tables.has('audit_checkpoints')
        ? (db.prepare(CHECKPOINTS).all() as CheckpointRaw[]).map(toCheckpoint)
        : [],
      missingTriggers: SQLITE_TRIGGERS.filter((t) => !triggers.has(t)),
    };
  } finally {
    db.close();
  }
}

/** Reads a broker PostgreSQL database in read-only transactions. */
export async function readPostgresEvidence(url: string): Promise<Evidence> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('set default_transaction_read_only = on');
    const records = await client.query<ChainedAuditRow>(RECORDS);
    const hasCheckpoints = await client.query<{ present: boolean }>(
      "select to_regclass('audit_checkpoints') is not null as present",
    );
    const checkpoints = hasCheckpoints.rows[0]?.present
      ? (await client.query<CheckpointRaw>(CHECKPOINTS)).rows
      : [];
    const triggers = await client.query<{ tgname: string }>(
      "select tgname from pg_trigger where tgrelid = to_regclass('audit') and not tgisinternal and tgenabled <> 'D'",
    );
    const present = new Set(triggers.rows.map((r) => r.tgname));
    return {
      records: records.rows.map(toRecord),
      checkpoints: checkpoints.map(toCheckpoint),
      missingTriggers: PG_TRIGGERS.filter((t) => !present.has(t)),
    };
  } finally {
    await client.end();
  }
}

/** Where the evidence lives. */
export type EvidenceLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Reads the evidence at `location` without changing it. */
export function readEvidence(location: EvidenceLocation): Promise<Evidence> {
  return location.kind === 'sqlite'
    ? Promise.resolve().then(() => readSqliteEvidence(location.path))
    : readPostgresEvidence(location.url);
}

/** Which grants a report covers: a ticket, or those created in a window. */
export interface GrantScope {
  ticket?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

function scopeSql(scope: GrantScope, placeholder: (i: number) => string): [string, string[]] {
  const where: string[] = [];
  const values: string[] = [];
  const add = (clause: string, value: string) => {
    values.push(value);
    where.push(`${clause} ${placeholder(values.length)}`);
  };
  if (scope.ticket !== undefined) add('ticket =', scope.ticket);
  if (scope.since !== undefined) add('created_at >=', scope.since);
  if (scope.until !== undefined) add('created_at <', scope.until);
  const clause = where.length ? ` where ${where.join(' and ')}` : '';
  return [`select * from grants${clause} order by created_at`, values];
}

/** Reads the grants in `scope` without changing anything. */
export async function readGrants(
  location: EvidenceLocation,
  scope: GrantScope,
): Promise<GrantRecord[]> {
  if (location.kind === 'sqlite') {
    const db = new Database(location.path, { readonly: true, fileMustExist: true });
    try {
      const [text, values] = scopeSql(scope, () => '?');
      return (db.prepare(text).all(...values) as Selectable<GrantRow>[]).map(fromRow);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    await client.query('set default_transaction_read_only = on');
    const [text, values] = scopeSql(scope, (i) => `$${i}`);
    return (await client.query<Selectable<GrantRow>>(text, values)).rows.map(fromRow);
  } finally {
    await client.end();
  }
}
