/** `GET /v1/audit`: the audit log for members of the policy's auditor groups, filtered and paged. */
import { inAnyGroup } from '../../policy/decide.ts';
import type { StoredAuditRecord } from '../../store/grant-repository.ts';
import type { AuditRecordView } from '../../../protocol/audit-api.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import type { ContractHandlers } from '../contract-route.ts';
import { BrokerHttpError } from '../http-error.ts';

/** A stored record as the API shows it. */
export function auditView(record: StoredAuditRecord): AuditRecordView {
  return {
    seq: record.seq,
    at: record.at,
    event: record.event,
    grantId: record.grantId,
    actor: record.actor,
    role: record.role,
    details: JSON.parse(record.details) as Record<string, unknown>,
    hash: record.hash,
  };
}

/** Handler of `listAudit`. */
export function auditRoute(deps: BrokerDeps): Pick<ContractHandlers, 'listAudit'> {
  return {
    listAudit: async ({ caller, query }) => {
      if (!inAnyGroup(caller.groups, deps.policy.auditors.groups)) {
        throw new BrokerHttpError(
          'forbidden',
          'the audit log is for members of the policy’s auditor groups; ask an admin for access',
        );
      }
      const records = await deps.repo.queryAudit(query);
      const last = records.at(-1);
      return {
        now: deps.clock.now().toISOString(),
        records: records.map(auditView),
        next: records.length === query.limit && last ? last.seq : null,
      };
    },
  };
}
