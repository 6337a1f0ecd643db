/** Maps between the `grants` row and the lifecycle's grant record. */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import {
  approvalSchema,
  grantStatusSchema,
  pendingExtensionSchema,
  providerKindSchema,
  wipeReceiptSchema,
} from '../../protocol/broker-api.ts';
import { deadlineOf, type GrantRecord } from '../lifecycle/grant-record.ts';
import type { GrantRow } from './schema.ts';

const groupsSchema = z.array(z.string());
const approvalsSchema = z.array(approvalSchema);

const json = <S extends z.ZodType>(schema: S, text: string | null): z.output<S> | null =>
  text === null ? null : schema.parse(JSON.parse(text));

/** A stored row as a record. Throws if the row was written by something else and does not parse. */
export function fromRow(row: Selectable<GrantRow>): GrantRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    role: row.role,
    issuer: row.issuer,
    subject: row.subject,
    requesterName: row.requester_name,
    provider: providerKindSchema.parse(row.provider),
    status: grantStatusSchema.parse(row.status),
    reason: row.reason,
    ticket: row.ticket,
    requestedSeconds: row.requested_seconds,
    grantedSeconds: row.granted_seconds,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    requestExpiresAt: row.request_expires_at,
    sessionEndsAt: row.session_ends_at,
    approvalsRequired: row.approvals_required,
    approverGroups: groupsSchema.parse(JSON.parse(row.approver_groups)),
    approvals: approvalsSchema.parse(JSON.parse(row.approvals)),
    endedBy: row.ended_by,
    endReason: row.end_reason,
    unusedSeconds: row.unused_seconds,
    extensionCount: row.extension_count,
    extensionSeconds: row.extension_seconds,
    pendingExtension: json(pendingExtensionSchema, row.pending_extension),
    wipe: json(wipeReceiptSchema, row.wipe),
    credentialIssuedAt: row.credential_issued_at,
    irrevocableAt: row.irrevocable_at,
    idempotencyKey: row.idempotency_key,
    version: row.version,
  };
}

/** A record as a row to store (with its indexed deadline). */
export function toRow(grant: GrantRecord): GrantRow {
  return {
    id: grant.id,
    tenant: grant.tenant,
    role: grant.role,
    issuer: grant.issuer,
    subject: grant.subject,
    provider: grant.provider,
    status: grant.status,
    reason: grant.reason,
    ticket: grant.ticket,
    requested_seconds: grant.requestedSeconds,
    granted_seconds: grant.grantedSeconds,
    approvals_required: grant.approvalsRequired,
    created_at: grant.createdAt,
    activated_at: grant.activatedAt,
    expires_at: grant.expiresAt,
    ended_at: grant.endedAt,
    request_expires_at: grant.requestExpiresAt,
    idempotency_key: grant.idempotencyKey,
    requester_name: grant.requesterName,
    session_ends_at: grant.sessionEndsAt,
    approver_groups: JSON.stringify(grant.approverGroups),
    approvals: JSON.stringify(grant.approvals),
    ended_by: grant.endedBy,
    end_reason: grant.endReason,
    unused_seconds: grant.unusedSeconds,
    extension_count: grant.extensionCount,
    extension_seconds: grant.extensionSeconds,
    pending_extension: grant.pendingExtension ? JSON.stringify(grant.pendingExtension) : null,
    wipe: grant.wipe ? JSON.stringify(grant.wipe) : null,
    credential_issued_at: grant.credentialIssuedAt,
    irrevocable_at: grant.irrevocableAt,
    deadline_at: deadlineOf(grant),
    version: grant.version,
  };
}

// Every column a grant write sets (all but the key): a Record, so a new column fails to compile here.
const updatable: Record<GrantColumn, true> = {
  tenant: true,
  role: true,
  issuer: true,
  subject: true,
  provider: true,
  status: true,
  reason: true,
  ticket: true,
  requested_seconds: true,
  granted_seconds: true,
  approvals_required: true,
  created_at: true,
  activated_at: true,
  expires_at: true,
  ended_at: true,
  request_expires_at: true,
  idempotency_key: true,
  requester_name: true,
  session_ends_at: true,
  approver_groups: true,
  approvals: true,
  ended_by: true,
  end_reason: true,
  unused_seconds: true,
  extension_count: true,
  extension_seconds: true,
  pending_extension: true,
  wipe: true,
  credential_issued_at: true,
  irrevocable_at: true,
  deadline_at: true,
  version: true,
};

/** A column a grant update may write. */
export type GrantColumn = Exclude<keyof GrantRow, 'id'>;

/** The columns a grant update may write (every column but `id`), for bulk statements. */
export const GRANT_UPDATE_COLUMNS = Object.keys(updatable) as readonly GrantColumn[];

/** The columns whose values differ between two rows of the same grant. */
export function changedColumns(before: GrantRow, after: GrantRow): GrantColumn[] {
  return GRANT_UPDATE_COLUMNS.filter((column) => before[column] !== after[column]);
}
