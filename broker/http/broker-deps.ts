/** Everything the broker's routes need, handed in by the shell. */
import type { Kysely } from 'kysely';
import type { Clock, Ids } from '../ports.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import type { SigningKey } from '../credentials/signing-key.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';

/** Dependencies of the broker HTTP app. */
export interface BrokerDeps {
  db: Kysely<BrokerDatabase>;
  policy: Policy;
  clock: Clock;
  ids: Ids;
  signingKey: SigningKey;
  verify: TokenVerifier;
  /** The broker's public URL: `iss` of the credentials it signs. */
  publicUrl: () => string;
  rateLimitPerMinute: number;
  /** Called after a grant is added or read, so server-side expiry stays exact. */
  expireDue: () => Promise<void>;
  /** Called after a grant with a deadline is stored. */
  grantAdded: () => Promise<void>;
  onInternalError: (error: unknown) => void;
}
