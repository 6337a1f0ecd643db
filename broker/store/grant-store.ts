/** Grant persistence: every change is written with its audit record in one transaction. */
import type { Kysely, Selectable } from 'kysely';
import type { Grant, GrantStatus, ProviderKind } from '../../protocol/broker-api.ts';
import { appendAudit } from '../audit/append-audit.ts';
import type { GrantPlan } from '../policy/decide.ts';
import type { BrokerDatabase, GrantRow } from './schema.ts';

/** The owner of a grant: issuer + subject. */
export interface GrantOwner {
  issuer: string;
  subject: string;
}

/** Maps a row to the protocol's grant shape. */
export function toGrant(row: Selectable<GrantRow>): Grant {
  return {
    id: row.id,
    role: row.role,
    subject: row.subject,
    provider: row.provider as ProviderKind,
    status: row.status as GrantStatus,
    reason: row.reason,
    ticket: row.ticket,
    requestedSeconds: row.requested_seconds,
    grantedSeconds: row.granted_seconds,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    requestExpiresAt: row.request_expires_at,
  };
}

/** Stores a new grant from a plan, with its `requested` (and `activated`) audit records. */
export async function insertGrant(
  db: Kysely<BrokerDatabase>,
  input: {
    id: string;
    tenant: string;
    owner: GrantOwner;
    plan: GrantPlan;
    reason: string;
    ticket: string | null;
    now: Date;
    idempotencyKey?: string | null;
  },
): Promise<Grant> {
  const { id, plan, owner, now } = input;
  const row: GrantRow = {
    id,
    tenant: input.tenant,
    role: plan.role.name,
    issuer: owner.issuer,
    subject: owner.subject,
    provider: plan.role.provider.kind,
    status: plan.status,
    reason: input.reason,
    ticket: input.ticket,
    requested_seconds: plan.requestedSeconds,
    granted_seconds: plan.grantedSeconds,
    approvals_required: plan.role.approvals.required,
    created_at: now.toISOString(),
    activated_at: plan.activatedAt?.toISOString() ?? null,
    expires_at: plan.expiresAt?.toISOString() ?? null,
    ended_at: null,
    request_expires_at: plan.requestExpiresAt?.toISOString() ?? null,
    idempotency_key: input.idempotencyKey ?? null,
  };
  const actor = `${owner.issuer}#${owner.subject}`;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('grants').values(row).execute();
    const base = { at: now, grantId: id, actor, role: plan.role.name };
    await appendAudit(trx, {
      ...base,
      event: 'requested',
      details: {
        reason: input.reason,
        ticket: input.ticket,
        requestedSeconds: plan.requestedSeconds,
        grantedSeconds: plan.grantedSeconds,
        status: plan.status,
      },
    });
    if (plan.status === 'active') {
      await appendAudit(trx, {
        ...base,
        event: 'activated',
        details: { expiresAt: row.expires_at },
      });
    }
  });
  return toGrant(row);
}

/** The grant `owner` created with idempotency `key`, with what was asked for, if any. */
export async function findByIdempotencyKey(
  db: Kysely<BrokerDatabase>,
  owner: GrantOwner,
  key: string,
): Promise<
  | {
      grant: Grant;
      asked: { role: string; seconds: number; reason: string; ticket: string | null };
    }
  | undefined
> {
  const row = await db
    .selectFrom('grants')
    .selectAll()
    .where('issuer', '=', owner.issuer)
    .where('subject', '=', owner.subject)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    grant: toGrant(row),
    asked: {
      role: row.role,
      seconds: row.requested_seconds,
      reason: row.reason,
      ticket: row.ticket,
    },
  };
}

/** One grant of `owner`; undefined for unknown ids and other people's grants alike. */
export async function findOwnedGrant(
  db: Kysely<BrokerDatabase>,
  owner: GrantOwner,
  id: string,
): Promise<Grant | undefined> {
  const row = await db
    .selectFrom('grants')
    .selectAll()
    .where('id', '=', id)
    .where('issuer', '=', owner.issuer)
    .where('subject', '=', owner.subject)
    .executeTakeFirst();
  return row ? toGrant(row) : undefined;
}

/** The grants of `owner`, newest first. */
export async function listOwnedGrants(
  db: Kysely<BrokerDatabase>,
  owner: GrantOwner,
): Promise<Grant[]> {
  const rows = await db
    .selectFrom('grants')
    .selectAll()
    .where('issuer', '=', owner.issuer)
    .where('subject', '=', owner.subject)
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  return rows.map(toGrant);
}

/** Records that a credential was issued (its token id, never the token). */
export async function recordCredentialIssued(
  db: Kysely<BrokerDatabase>,
  input: { grant: Grant; owner: GrantOwner; tokenId: string; audience: string; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await appendAudit(trx, {
      at: input.now,
      event: 'credential_issued',
      grantId: input.grant.id,
      actor: `${input.owner.issuer}#${input.owner.subject}`,
      role: input.grant.role,
      details: { jti: input.tokenId, audience: input.audience, expiresAt: input.grant.expiresAt },
    });
  });
}
