/** Pure: the grants a snapshot shows, from the broker's last word and this device's records. */
import type { Grant, LocalGrant } from '../protocol/index.ts';
import type { GrantRecord } from './grant-store.ts';

/** Whether the device holds the grant's secret right now. */
export const holdsSecret = (r: GrantRecord | undefined): boolean =>
  r !== undefined && r.credentialStored && r.wipedAt === null;

/** A LocalGrant from the broker's grant and this device's record of it, if any. */
export function toLocalGrant(grant: Grant, record: GrantRecord | undefined): LocalGrant {
  return {
    ...grant,
    credentialStored: grant.status === 'active' && holdsSecret(record),
    wipedLocallyAt: record?.wipedAt ?? null,
  };
}

/**
 * Own grants, newest first: every grant the broker reported, plus grants only this device still
 * knows (the broker unreachable, or its list not fetched yet) from their records, so grants never
 * vanish from view. `subject` filters records to the signed-in user's (null: unknown, keep all).
 */
export function mergeGrants(
  brokerGrants: readonly Grant[],
  records: readonly GrantRecord[],
  subject: string | null,
): LocalGrant[] {
  const mine = records.filter(
    (r) => subject === null || r.subject === null || r.subject === subject,
  );
  const byId = new Map(mine.map((r) => [r.id, r]));
  const seen = new Set<string>();
  const out: LocalGrant[] = [];
  for (const grant of brokerGrants) {
    if (subject !== null && grant.subject !== subject) continue;
    seen.add(grant.id);
    out.push(toLocalGrant(grant, byId.get(grant.id)));
  }
  for (const record of mine) {
    if (seen.has(record.id) || record.grant === null) continue;
    out.push(toLocalGrant({ ...record.grant, expiresAt: record.expiresAt }, record));
  }
  return out.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
