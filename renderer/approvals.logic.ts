/** Approval wording shared by Pending, the Approvals inbox and History. Pure. */
import type { Approval, Grant } from '../protocol/broker-api.ts';

/** Who approved, by display name where known. */
export function approverNames(approvals: readonly Approval[]): string {
  return approvals.map((a) => a.byName ?? a.by.split('#').pop() ?? a.by).join(', ');
}

/** "1 of 2 approvals from approvers, sre · so far: Bob". */
export function approvalProgress(
  grant: Pick<Grant, 'approvals' | 'approvalsRequired' | 'approverGroups'>,
): string {
  const from = grant.approverGroups.length > 0 ? ` from ${grant.approverGroups.join(', ')}` : '';
  const plural = grant.approvalsRequired === 1 ? '' : 's';
  const sofar = grant.approvals.length > 0 ? ` · so far: ${approverNames(grant.approvals)}` : '';
  return `${grant.approvals.length} of ${grant.approvalsRequired} approval${plural}${from}${sofar}`;
}
