/** Marks due grants expired, each with its audit record, in one transaction. */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { planExpiry, type ExpiryPlan } from './expiry-plan.ts';

/**
 * Expires every active grant past its deadline and every pending request past its request
 * deadline, each with its audit record; returns the plan it acted on.
 */
export async function expireDueGrants(db: Kysely<BrokerDatabase>, now: Date): Promise<ExpiryPlan> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('grants')
      .select(['id', 'role', 'status', 'expires_at', 'request_expires_at'])
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'active'), eb('expires_at', 'is not', null)]),
          eb.and([eb('status', '=', 'pending'), eb('request_expires_at', 'is not', null)]),
        ]),
      )
      .execute();
    const deadlineOf = (r: (typeof rows)[number]): string =>
      (r.status === 'active' ? r.expires_at : r.request_expires_at)!;
    const plan = planExpiry(
      rows.map((r) => ({ id: r.id, expiresAt: new Date(deadlineOf(r)) })),
      now,
    );
    for (const id of plan.due) {
      const row = rows.find((r) => r.id === id)!;
      await trx
        .updateTable('grants')
        .set({ status: 'expired', ended_at: deadlineOf(row) })
        .where('id', '=', id)
        .where('status', '=', row.status)
        .execute();
      await appendAudit(trx, {
        at: now,
        event: 'expired',
        grantId: id,
        actor: 'broker',
        role: row.role,
        details: { deadline: deadlineOf(row), was: row.status },
      });
    }
    return plan;
  });
}
