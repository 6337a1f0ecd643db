/**
 * Range checks on the time claims of a verified access token (issue 18, finding 9): each one the
 * broker or jose reads is a NumericDate within `numericDateSchema`, or the token is refused.
 */
import type { JWTPayload } from 'jose';
import { ACCESS_TOKEN_TIME_CLAIMS, numericDateSchema } from '../../protocol/access-token.ts';

/** The first time claim of `payload` that is present but not a usable date, if any. */
export function badTimeClaim(payload: JWTPayload, sessionClaim: string): string | undefined {
  for (const claim of [...ACCESS_TOKEN_TIME_CLAIMS, sessionClaim]) {
    if (!Object.hasOwn(payload, claim)) continue;
    if (!numericDateSchema.safeParse(payload[claim]).success) return claim;
  }
  return undefined;
}

/** What a client is told about `claim`: what is wrong, without echoing the value. */
export function badTimeClaimMessage(claim: string): string {
  return `the access token's ${claim} claim is not a date between 1970 and 9999 in epoch seconds`;
}
