/** The broker's imperative shell: opens storage, loads policy and keys, starts expiry, listens. */
import type { Kysely } from 'kysely';
import type { BrokerConfig } from './config.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { loadOrCreateSigningKey } from './credentials/signing-key.ts';
import { buildBrokerApp } from './http/build-broker-app.ts';
import { expireDueGrants } from './lifecycle/expire-grants.ts';
import { startExpiryScheduler } from './lifecycle/expiry-scheduler.ts';
import { loadPolicyFile } from './policy/load-policy.ts';
import { randomIds, systemClock, type Clock, type Ids } from './ports.ts';
import { openBrokerDatabase } from './store/open-database.ts';
import type { BrokerDatabase } from './store/schema.ts';

/** A running broker. */
export interface RunningBroker {
  url: string;
  db: Kysely<BrokerDatabase>;
  close(): Promise<void>;
}

/** Starts the broker on `config.host`. Throws with a clear message when policy, key or database are unusable. */
export async function startBroker(
  config: BrokerConfig,
  ports: { clock?: Clock; ids?: Ids; onInternalError?: (error: unknown) => void } = {},
): Promise<RunningBroker> {
  const clock = ports.clock ?? systemClock;
  const onInternalError = ports.onInternalError ?? (() => undefined);
  const policy = await loadPolicyFile(config.policyPath);
  if (policy.status === 'error') throw new Error(policy.message);
  const signingKey = await loadOrCreateSigningKey(config.signingKeyPath);
  const db = await openBrokerDatabase(config.databasePath);
  const scheduler = await startExpiryScheduler(db, clock, onInternalError);
  let publicUrl = config.publicUrl ?? '';
  const app = buildBrokerApp({
    db,
    policy: policy.policy,
    clock,
    ids: ports.ids ?? randomIds,
    signingKey,
    verify: createTokenVerifier(config.issuers, clock),
    publicUrl: () => publicUrl,
    rateLimitPerMinute: config.rateLimitPerMinute,
    expireDue: async () => {
      await expireDueGrants(db, clock.now());
    },
    grantAdded: () => scheduler.rearm(),
    onInternalError,
  });
  try {
    const address = await app.listen({ host: config.host, port: config.port });
    publicUrl ||= address;
  } catch (error) {
    scheduler.stop();
    await db.destroy();
    throw error;
  }
  const url = publicUrl.replace(/\/$/, '');
  return {
    url,
    db,
    close: async () => {
      scheduler.stop();
      await app.close();
      await db.destroy();
    },
  };
}
