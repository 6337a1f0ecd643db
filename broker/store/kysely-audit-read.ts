/** Reads of the audit log and of grants for the incident report: filtered, through the indexes. */
import type { Kysely } from 'kysely';
import { checkpointDigest, FIRST_CHECKPOINT_PREV, signedLink } from '../audit/checkpoint.ts';
import { fromRow } from './grant-row.ts';
import type { GrantRepository } from './grant-repository.ts';
import type { BrokerDatabase } from './schema.ts';
import type { StoreDialect } from './store-dialect.ts';

type AuditReadPart = Pick<GrantRepository, 'queryAudit' | 'grantsFor' | 'grantCounts'>;

/** Audit and report reads over `db`. */
export function kyselyAuditRead(db: Kysely<BrokerDatabase>): AuditReadPart {
  return {
    async queryAudit(filter) {
      let query = db.selectFrom('audit').selectAll();
      if (filter.grant !== undefined) query = query.where('grant_id', '=', filter.grant);
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.role !== undefined) query = query.where('role', '=', filter.role);
      if (filter.event !== undefined) query = query.where('event', '=', filter.event);
      if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('at', '<', filter.until);
      if (filter.after !== undefined) query = query.where('seq', '>', filter.after);
      const { ticket } = filter;
      if (ticket !== undefined) {
        query = query.where('grant_id', 'in', (eb) =>
          eb.selectFrom('grants').select('id').where('ticket', '=', ticket),
        );
      }
      const rows = await query.orderBy('seq', 'asc').limit(filter.limit).execute();
      return rows.map((row) => ({
        seq: row.seq,
        at: row.at,
        event: row.event,
        grantId: row.grant_id,
        actor: row.actor,
        role: row.role,
        details: row.details,
        prevHash: row.prev_hash,
        hash: row.hash,
      }));
    },
    async grantCounts() {
      const rows = await db
        .selectFrom('grants')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      // Grants marked now (the mark is cleared once a retry removed the access at the target).
      const irrevocable = await db
        .selectFrom('grants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('irrevocable_at', 'is not', null)
        .executeTakeFirst();
      return {
        byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
        irrevocable: Number(irrevocable?.n ?? 0),
      };
    },
    async grantsFor(scope) {
      let query = db.selectFrom('grants').selectAll();
      if (scope.ticket !== undefined) query = query.where('ticket', '=', scope.ticket);
      if (scope.since !== undefined) query = query.where('created_at', '>=', scope.since);
      if (scope.until !== undefined) query = query.where('created_at', '<', scope.until);
      const rows = await query.orderBy('created_at', 'asc').limit(10_000).execute();
      return rows.map(fromRow);
    },
  };
}

/** Signed checkpoints of the chain head (see audit/checkpoint.ts). */
export function kyselyCheckpoints(
  db: Kysely<BrokerDatabase>,
  dialect: StoreDialect,
): Pick<GrantRepository, 'appendCheckpoint' | 'checkpointsAfter'> {
  return {
    async checkpointsAfter(afterSeq, limit) {
      const rows = await db
        .selectFrom('audit_checkpoints')
        .select(['seq', 'at', 'head_seq', 'head_hash', 'signature'])
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        seq: r.seq,
        at: r.at,
        headSeq: r.head_seq,
        headHash: r.head_hash,
        signature: r.signature,
        prev: signedLink(r.signature),
      }));
    },
    appendCheckpoint(now, kid, sign) {
      return db.transaction().execute(async (trx) => {
        await dialect.lockChain(trx);
        const head = await trx
          .selectFrom('audit')
          .select(['seq', 'hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!head) return null;
        const last = await trx
          .selectFrom('audit_checkpoints')
          .select(['head_seq', 'signature'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (last?.head_seq === head.seq) return null;
        const payload = {
          at: now.toISOString(),
          headSeq: head.seq,
          headHash: head.hash,
          prev: last ? checkpointDigest(last.signature) : FIRST_CHECKPOINT_PREV,
        };
        const signature = await sign(payload);
        const row = await trx
          .insertInto('audit_checkpoints')
          .values({
            at: payload.at,
            head_seq: head.seq,
            head_hash: head.hash,
            kid,
            signature,
          })
          .returning('seq')
          .executeTakeFirstOrThrow();
        return { seq: row.seq, ...payload, signature };
      });
    },
  };
}
