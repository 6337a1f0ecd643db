/**
 * Federation: what one trusted issuer's access token says about the caller, through that issuer's
 * claim mapping. Group names are qualified by the issuer's `name` (`corp:approvers`), so one IdP's
 * `approvers` is never another's; a raw group containing `:` is dropped, so no IdP can mint a
 * group name that reads as another issuer's.
 */
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import { unsafeCharacter } from '../../protocol/plain-text.ts';

/** Where an issuer puts each claim (dotted paths into the token, e.g. `realm_access.roles`). */
export interface ClaimMapping {
  subject: string;
  email: string;
  name: string;
  groups: string;
}

/** The mapping of a standard OIDC access token. */
export const DEFAULT_CLAIMS: ClaimMapping = {
  subject: 'sub',
  email: 'email',
  name: 'name',
  groups: 'groups',
};

/** What the mapping found. */
export interface MappedClaims {
  subject: string;
  email?: string;
  name?: string;
  groups: string[];
}

/** The value at a dotted `path` in `payload`, if any. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const text = z.string().min(1).max(256);
/**
 * A display name or email from the IdP is shown to other people (approvers, Slack, terminals): one
 * with a control or text-direction character is ignored as if the IdP gave none, so the subject
 * is shown instead (issue 18, finding 4). The subject itself is refused (token-verifier.ts).
 */
const shownText = text.refine((value) => unsafeCharacter(value) === null);
const groupList = z.array(z.string().max(256)).max(500);

/** `group` as policy names it: `issuerName:group`, or bare for the one unnamed issuer. */
export function qualifyGroup(issuerName: string | undefined, group: string): string {
  return issuerName ? `${issuerName}:${group}` : group;
}

/** Maps the claims; undefined when the subject is missing or malformed. */
export function mapClaims(
  payload: JWTPayload,
  mapping: Partial<ClaimMapping> | undefined,
  issuerName: string | undefined,
): MappedClaims | undefined {
  const paths = { ...DEFAULT_CLAIMS, ...mapping };
  const subject = text.safeParse(claimAt(payload, paths.subject));
  if (!subject.success) return undefined;
  const email = shownText.safeParse(claimAt(payload, paths.email));
  const name =
    shownText.safeParse(claimAt(payload, paths.name)).data ??
    shownText.safeParse(claimAt(payload, 'preferred_username')).data;
  const groups = groupList.safeParse(claimAt(payload, paths.groups)).data ?? [];
  return {
    subject: subject.data,
    ...(email.success ? { email: email.data } : {}),
    ...(name !== undefined ? { name } : {}),
    groups: groups
      .filter((g) => g.length > 0 && !g.includes(':') && unsafeCharacter(g) === null)
      .map((g) => qualifyGroup(issuerName, g)),
  };
}
