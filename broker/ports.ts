/** Small ports the broker's shell hands to its core: time and ids. */
import { randomBytes } from 'node:crypto';

/** The broker's source of time. Injected so tests can move it. */
export interface Clock {
  now(): Date;
}

/** Source of random, url-safe identifiers. */
export interface Ids {
  grantId(): string;
  tokenId(): string;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Random 128-bit ids, base64url. */
export const randomIds: Ids = {
  // A leading letter: an id that starts with `-` reads as an option when typed in a shell.
  grantId: () => `g${randomBytes(16).toString('base64url')}`,
  tokenId: () => randomBytes(16).toString('base64url'),
};
