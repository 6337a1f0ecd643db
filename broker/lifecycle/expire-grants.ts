/** Marks due grants expired, each with its audit record, in one transaction. */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { planExpiry, type ExpiryPlan } from './expiry-plan.ts';

/** Expires every active grant whose deadline is at or before `now`; returns the plan it acted on. */
export async function expireDueGrants(db: Kysely<BrokerDatabase>, now: Date): Promise<ExpiryPlan> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('grants')
      .select(['id', 'role', 'expires_at'])
      .where('status', '=', 'active')
      .where('expires_at', 'is not', null)
      .execute();
    const plan = planExpiry(
      rows.map((r) => ({ id: r.id, expiresAt: new Date(r.expires_at!) })),
      now,
    );
    for (const id of plan.due) {
      const row = rows.find((r) => r.id === id)!;
      await trx
        .updateTable('grants')
        .set({ status: 'expired', ended_at: row.expires_at })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .execute();
      await appendAudit(trx, {
        at: now,
        event: 'expired',
        grantId: id,
        actor: 'broker',
        role: row.role,
        details: { deadline: row.expires_at },
      });
    }
    return plan;
  });
}
