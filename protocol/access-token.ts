/**
 * The access-token boundary: what the broker accepts in the time claims of a bearer token from a
 * trusted IdP, before it computes with them.
 */
import { z } from 'zod';

/** The last second whose date has a four-digit year (9999-12-31T23:59:59Z), in epoch seconds. */
export const MAX_NUMERIC_DATE = 253_402_300_799;

/**
 * A JWT NumericDate the broker can compute with: finite seconds from 1970 to the year 9999.
 * Why a range: a value such as 8.64e12 is a number to jose, but not a date JavaScript can hold
 * (`RangeError: Invalid time value` at the first `toISOString`).
 */
export const numericDateSchema = z.number().finite().min(0).max(MAX_NUMERIC_DATE);

/** The registered and OIDC time claims checked in every access token, when present. */
export const ACCESS_TOKEN_TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;
