/**
 * Test support for brokers of several tenants: each tenant's policy file, key and fresh store (on
 * the backend under test), and the broker config naming them, for `startBroker` or a config file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBrokerConfig, type BrokerConfigInput } from '../config.ts';
import { startBroker, type RunningBroker } from '../start-broker.ts';
import { tempDir, testTenantStoreLocation } from '../test-support.ts';

/** A no-approval `jwt` role `name` for `groups` (audience https://api.internal). */
export const jwtRole = (name: string, groups: string[]): string => `  - name: ${name}
    provider: { kind: jwt, audience: https://api.internal }
    eligible: { groups: [${groups.map((g) => JSON.stringify(g)).join(', ')}] }
    maxDuration: 1h
    reason: { required: false }
`;

/** A policy for `tenant` with `roles` (each from `jwtRole`). */
export const tenantPolicy = (tenant: string, ...roles: string[]): string =>
  `tenant: ${tenant}\nroles:\n${roles.join('')}`;

/** A tenant to configure: its name and its policy text. */
export interface TenantSpec {
  name: string;
  policy: string;
  /** The tenant's own webhooks (none: none). */
  webhooks?: { url: string }[];
}

/** Broker config serving `tenants`, each with its own policy file, key and fresh store. */
export async function tenantsConfig(
  issuers: BrokerConfigInput['issuers'],
  tenants: readonly TenantSpec[],
): Promise<BrokerConfigInput> {
  const entries = [];
  for (const tenant of tenants) {
    const dir = tempDir();
    const policyPath = join(dir, 'policy.yaml');
    writeFileSync(policyPath, tenant.policy);
    entries.push({
      name: tenant.name,
      policyPath,
      signingKeyPath: join(dir, 'signing.jwk'),
      ...(await testTenantStoreLocation()),
      ...(tenant.webhooks ? { webhooks: tenant.webhooks } : {}),
    });
  }
  return { issuers, tenants: entries, rateLimitPerMinute: 10_000 };
}

/** Starts one broker process-in-test serving `config`'s tenants; internal errors fail the test. */
export async function startTenantsBroker(config: BrokerConfigInput): Promise<RunningBroker> {
  const parsed = parseBrokerConfig(config);
  if (parsed.status === 'error') throw new Error(parsed.message);
  return startBroker(parsed.config, {
    onInternalError: (error) => {
      throw error;
    },
  });
}
