/** Bulk-seeds active `prod-api-readonly` grants straight into a store (bench set-up only). */
import type { Kysely } from 'kysely';
import type { GrantRecord } from '../broker/lifecycle/grant-record.ts';
import { toRow } from '../broker/store/grant-row.ts';
import type { BrokerDatabase } from '../broker/store/schema.ts';

/** An active grant of user `u<i>` that ends at `expiresAt`. */
export function activeGrant(i: number, issuer: string, expiresAt: Date): GrantRecord {
  const created = new Date(expiresAt.getTime() - 3_600_000).toISOString();
  return {
    id: `bench${i}`,
    tenant: 'demo',
    role: 'prod-api-readonly',
    issuer,
    subject: `u${i}`,
    requesterName: null,
    provider: 'jwt',
    status: 'active',
    reason: 'bench',
    ticket: null,
    requestedSeconds: 3600,
    grantedSeconds: 3600,
    createdAt: created,
    activatedAt: created,
    expiresAt: expiresAt.toISOString(),
    endedAt: null,
    requestExpiresAt: null,
    sessionEndsAt: null,
    approvalsRequired: 0,
    approverGroups: [],
    approvals: [],
    endedBy: null,
    endReason: null,
    unusedSeconds: null,
    extensionCount: 0,
    extensionSeconds: 0,
    pendingExtension: null,
    wipe: null,
    credentialIssuedAt: null,
    irrevocableAt: null,
    idempotencyKey: null,
    version: 1,
  };
}

/** Inserts `count` grants, `deadline(i)` each, in batches inside transactions. */
export async function seedGrants(
  db: Kysely<BrokerDatabase>,
  count: number,
  issuer: string,
  deadline: (i: number) => Date,
): Promise<void> {
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH * 20) {
    await db.transaction().execute(async (trx) => {
      for (let b = start; b < Math.min(count, start + BATCH * 20); b += BATCH) {
        const rows = [];
        for (let i = b; i < Math.min(count, b + BATCH); i += 1)
          rows.push(toRow(activeGrant(i, issuer, deadline(i))));
        await trx.insertInto('grants').values(rows).execute();
      }
    });
  }
}
