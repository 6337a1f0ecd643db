/**
 * Writes what goes with committed grant changes — outbox entries, issued token ids, audit rows,
 * events — for one transition or a batch of them, in bulk statements inside the caller's
 * transaction, with one audit chain append.
 */
import type { Insertable, Transaction } from 'kysely';
import { appendAuditBatch, type AuditEntry } from '../audit/append-audit.ts';
import { actorKey } from '../lifecycle/grant-record.ts';
import type { GrantWrite } from './grant-repository.ts';
import type { BrokerDatabase, EventRow, IssuedTokenRow, OutboxRow } from './schema.ts';
import type { StoreDialect } from './store-dialect.ts';

// Rows per insert statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const ROWS_PER_INSERT = 500;

function slices<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    out.push(rows.slice(i, i + ROWS_PER_INSERT));
  return out;
}

/** The outbox rows of `writes`: provider effects, then webhook deliveries. */
export function outboxRows(writes: readonly GrantWrite[]): Insertable<OutboxRow>[] {
  return writes.flatMap(({ effects, webhooks, at }) => {
    const when = at.toISOString();
    const base = { created_at: when, attempts: 0, last_error: null, done_at: null };
    return [
      ...effects.map((effect) => ({
        ...base,
        grant_id: effect.grantId,
        kind: effect.kind,
        action: effect.action,
        next_attempt_at: when,
        payload: null,
      })),
      ...(webhooks ?? []).map((hook) => ({
        ...base,
        grant_id: hook.grantId,
        kind: 'webhook',
        action: hook.event,
        next_attempt_at: hook.dueAt.toISOString(),
        payload: hook.payload,
      })),
    ];
  });
}

/** The event rows of `writes` (each write's view serialised once). */
export function eventRows(writes: readonly GrantWrite[]): Insertable<EventRow>[] {
  return writes.flatMap(({ grant, events, at }) => {
    const when = at.toISOString();
    const owner = actorKey(grant);
    // The service gives every event of one write the same view: serialise it once.
    const views = new Map<unknown, string>();
    const viewJson = (view: unknown): string => {
      let text = views.get(view);
      if (text === undefined) {
        text = JSON.stringify(view);
        views.set(view, text);
      }
      return text;
    };
    return events.map((event) => ({
      at: when,
      grant_id: grant.id,
      change: event.change,
      audience: event.audience.kind,
      owner,
      groups: JSON.stringify(event.audience.kind === 'approver' ? event.audience.groups : []),
      grant: viewJson(event.view),
    }));
  });
}

/** The issued token ids of `writes`. */
export function tokenRows(writes: readonly GrantWrite[]): IssuedTokenRow[] {
  return writes.flatMap(({ grant, issuedToken }) =>
    issuedToken
      ? [
          {
            jti: issuedToken.tokenId,
            grant_id: grant.id,
            expires_at: issuedToken.expiresAt,
            revoked_at: null,
          },
        ]
      : [],
  );
}

/** The audit entries of `writes`, in order. */
export function auditEntries(writes: readonly GrantWrite[]): AuditEntry[] {
  return writes.flatMap(({ grant, audit: drafts, at }) =>
    drafts.map((entry) => ({ ...entry, at, grantId: grant.id, role: grant.role })),
  );
}

/**
 * Writes the outbox entries, token ids, audit rows and events of `writes` inside `trx`, in the
 * order of `writes`. What needs no ordering goes first; the chain lock is then held only for the
 * audit append (one head read) and the events insert, so event sequence numbers follow commit
 * order. Returns the last event's sequence number (null: no event).
 */
export async function writeAlongside(
  trx: Transaction<BrokerDatabase>,
  writes: readonly GrantWrite[],
  dialect: StoreDialect,
): Promise<number | null> {
  for (const rows of slices(outboxRows(writes)))
    await trx.insertInto('outbox').values(rows).execute();
  const tokens = tokenRows(writes);
  if (tokens.length > 0) await trx.insertInto('issued_tokens').values(tokens).execute();
  const audit = auditEntries(writes);
  const events = eventRows(writes);
  if (audit.length === 0 && events.length === 0) return null;
  await dialect.lockChain(trx);
  await appendAuditBatch(trx, audit);
  let lastSeq: number | null = null;
  for (const rows of slices(events)) {
    const inserted = await trx.insertInto('events').values(rows).returning('seq').execute();
    for (const { seq } of inserted) lastSeq = Math.max(lastSeq ?? seq, seq);
  }
  if (lastSeq !== null) await dialect.announceEvents(trx, lastSeq);
  return lastSeq;
}
