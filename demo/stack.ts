/** Starts the demo stack in-process: the demo IdP and the broker on SQLite with the demo policy. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { startDemoIdp, DEMO_CLIENT_ID } from './idp.ts';
import type { ProviderKind } from '../protocol/broker-api.ts';

/** The fixed resource indicator / audience of the broker's access tokens. */
export const BROKER_AUDIENCE = 'urn:hourglass:broker';

/**
 * How the demo broker trusts the demo IdP: its RFC 9068 access tokens (`typ: at+jwt`, which
 * oidc-provider sets on JWT access tokens) and nothing else, so an ID token or any other JWT the
 * IdP signs is refused even where its audience matched.
 */
export function demoTrustedIssuer(issuer: string) {
  return {
    issuer,
    audience: BROKER_AUDIENCE,
    clientId: DEMO_CLIENT_ID,
    accessTokenType: 'at+jwt',
  };
}

/** The demo policy file shipped next to this module. */
export const DEMO_POLICY_PATH = fileURLToPath(new URL('./policy.yaml', import.meta.url));

/** A running demo stack. */
export interface DemoStack {
  issuer: string;
  brokerUrl: string;
  brokerAudience: string;
  clientId: string;
  close(): Promise<void>;
}

/**
 * Starts IdP + broker on 127.0.0.1. The broker keeps its SQLite file and its signing key (0600,
 * generated when missing) in `dataDir`. Ports default to ephemeral ones.
 */
export async function startDemoStack(opts: {
  dataDir: string;
  policyPath?: string;
  idpPort?: number;
  brokerPort?: number;
  /** The broker's per-user request limit (benches that request a hundred grants raise it). */
  rateLimitPerMinute?: number;
  /** Credential targets for the broker config (demo/targets/ starts real ones). */
  targets?: Record<string, { kind: ProviderKind } & Record<string, unknown>>;
  /** Where the broker reads `{ env: VAR }` target secrets (default: process.env). */
  env?: NodeJS.ProcessEnv;
}): Promise<DemoStack> {
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const idp = await startDemoIdp({
    brokerAudience: BROKER_AUDIENCE,
    ...(opts.idpPort !== undefined ? { port: opts.idpPort } : {}),
  });
  const config = parseBrokerConfig({
    port: opts.brokerPort ?? 0,
    issuers: [demoTrustedIssuer(idp.issuer)],
    policyPath: opts.policyPath ?? DEMO_POLICY_PATH,
    databasePath: join(opts.dataDir, 'broker.sqlite'),
    signingKeyPath: join(opts.dataDir, 'broker-signing-key.jwk'),
    ...(opts.targets ? { targets: opts.targets } : {}),
    ...(opts.rateLimitPerMinute !== undefined
      ? { rateLimitPerMinute: opts.rateLimitPerMinute }
      : {}),
  });
  if (config.status === 'error') {
    await idp.close();
    throw new Error(config.message);
  }
  let broker;
  try {
    broker = await startBroker(config.config, {
      onInternalError: (error) => console.error('broker internal error:', error),
      ...(opts.env ? { env: opts.env } : {}),
    });
  } catch (error) {
    await idp.close();
    throw error;
  }
  return {
    issuer: idp.issuer,
    brokerUrl: broker.url,
    brokerAudience: BROKER_AUDIENCE,
    clientId: DEMO_CLIENT_ID,
    close: async () => {
      await broker.close();
      await idp.close();
    },
  };
}
