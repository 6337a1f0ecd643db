/** The outbox and issued-token parts of the repository. */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/append-audit.ts';
import type { GrantRepository, OutboxEntry } from './grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import { pendingHeads, type StoreDialect } from './store-dialect.ts';

const effectActionSchema = z.enum(['issue', 'reissue', 'revoke']);

type OutboxPart = Pick<
  GrantRepository,
  | 'dueEffects'
  | 'nextEffectAt'
  | 'renewClaims'
  | 'completeEffects'
  | 'failEffect'
  | 'outboxStats'
  | 'recordAudit'
  | 'revokeIssuedTokens'
  | 'isTokenRevoked'
>;

/** Outbox entries and issued token ids. */
export function kyselyOutbox(db: Kysely<BrokerDatabase>, dialect: StoreDialect): OutboxPart {
  return {
    async dueEffects(now, limit) {
      const rows = await dialect.claimEffects(db, now, limit);
      return rows.map((row): OutboxEntry => ({
        seq: row.seq,
        attempts: row.attempts,
        effect:
          row.kind === 'webhook'
            ? {
                kind: 'webhook',
                grantId: row.grant_id,
                event: row.action,
                payload: row.payload ?? '{}',
              }
            : {
                kind: 'provider',
                action: effectActionSchema.parse(row.action),
                grantId: row.grant_id,
              },
      }));
    },
    async nextEffectAt() {
      // Heads only: an entry waiting behind an earlier effect of its grant is not runnable yet
      // (counting it would wake the worker in a loop until the earlier one is done).
      const { rows } = await sql<{ next_attempt_at: string }>`
        select o.next_attempt_at from outbox o where ${pendingHeads}
        order by o.next_attempt_at limit 1`.execute(db);
      const row = rows[0];
      return row ? new Date(row.next_attempt_at) : null;
    },
    async renewClaims(seqs, until) {
      for (let i = 0; i < seqs.length; i += 1000)
        await db
          .updateTable('outbox')
          .set({ next_attempt_at: until.toISOString() })
          .where('seq', 'in', seqs.slice(i, i + 1000))
          .where('done_at', 'is', null)
          .execute();
    },
    async completeEffects(seqs, now) {
      // Not through the group commit: a worker run that outlives the broker's close would then
      // write after the store is gone (the group waits one event-loop turn before it starts).
      // One statement per slice of a batch (well under both backends' parameter bounds).
      for (let i = 0; i < seqs.length; i += 1000)
        await db
          .updateTable('outbox')
          .set({ done_at: now.toISOString() })
          .where('seq', 'in', seqs.slice(i, i + 1000))
          .execute();
    },
    async failEffect(entry, error, retryAt, now) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('outbox')
          .set({
            attempts: entry.attempts + 1,
            last_error: error.slice(0, 500),
            next_attempt_at: retryAt.toISOString(),
          })
          .where('seq', '=', entry.seq)
          .execute();
        if (entry.attempts === 0) {
          await dialect.lockChain(trx);
          const grant = await trx
            .selectFrom('grants')
            .select('role')
            .where('id', '=', entry.effect.grantId)
            .executeTakeFirst();
          await appendAudit(trx, {
            at: now,
            event: 'effect_failed',
            grantId: entry.effect.grantId,
            actor: 'broker',
            role: grant?.role ?? null,
            details: {
              action:
                entry.effect.kind === 'webhook'
                  ? `webhook:${entry.effect.event}`
                  : entry.effect.action,
              error: error.slice(0, 200),
              outbox: entry.seq,
            },
          });
        }
      });
    },
    async outboxStats() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [
          eb.fn.countAll<number>().as('pending'),
          eb.fn.sum<number>(sql`case when attempts > 0 then 1 else 0 end`).as('failing'),
          eb.fn.max('last_error').as('lastError'),
        ])
        // Provider effects only: webhook deliveries (and `expiring` entries waiting for their
        // time) are not revocations and do not degrade health.
        .where('kind', '=', 'provider')
        .where('done_at', 'is', null)
        .executeTakeFirstOrThrow();
      return {
        pending: Number(row.pending),
        failing: Number(row.failing ?? 0),
        lastError: row.lastError ?? null,
      };
    },
    async recordAudit(entry) {
      await db.transaction().execute(async (trx) => {
        await dialect.lockChain(trx);
        await appendAudit(trx, entry);
      });
    },
    async revokeIssuedTokens(grantId, now) {
      const result = await db
        .updateTable('issued_tokens')
        .set({ revoked_at: now.toISOString() })
        .where('grant_id', '=', grantId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async isTokenRevoked(jti) {
      const row = await db
        .selectFrom('issued_tokens')
        .select('revoked_at')
        .where('jti', '=', jti)
        .executeTakeFirst();
      return row ? row.revoked_at !== null : undefined;
    },
  };
}
