/**
 * Config of several tenants: duplicate names, a shared store, per-tenant settings left at the top
 * level and issuers naming unknown tenants are each refused with file:line:column and the field;
 * a tenant whose policy names another tenant is refused at start, naming the field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config-file.ts';
import { parseBrokerConfig } from '../config.ts';
import { jwtRole, tenantPolicy } from '../http/tenants-harness.ts';
import { startBroker } from '../start-broker.ts';
import { tempDir, testTenantStoreLocation } from '../test-support.ts';

const issuers = ['issuers:', '  - issuer: "http://127.0.0.1:9/"', '    audience: urn:b'];

const entry = (name: string, db: string) => [
  `  - name: ${name}`,
  `    policyPath: ${name}.yaml`,
  `    signingKeyPath: ${name}.jwk`,
  `    ${db}`,
];

async function errorsOf(lines: string[]): Promise<string[]> {
  const path = join(tempDir(), 'broker.yaml');
  writeFileSync(path, lines.join('\n'));
  const result = await loadConfigFile(path, {});
  if (result.status === 'success') throw new Error('the config was accepted');
  return result.message.split('\n').map((line) => line.replace(`${path}:`, ''));
}

describe('broker config with tenants', () => {
  it('refuses duplicate tenant names and two tenants on one store, naming the field', async () => {
    expect(
      await errorsOf([
        ...issuers,
        'tenants:',
        ...entry('prod-eu', 'databasePath: eu.sqlite'),
        ...entry('prod-eu', 'databasePath: ./eu.sqlite'),
        ...entry('prod-us', 'databaseUrl: postgres://db/hg'),
        // Another schema of the same database shares its NOTIFY channel and chain lock: refused too.
        ...entry(
          'staging',
          'databaseUrl: postgres://other@db:5432/hg?options=-c%20search_path%3Dstaging',
        ),
      ]),
    ).toEqual([
      '9:11: tenants[1].name: duplicate tenant name "prod-eu" (also tenants[0])',
      '12:19: tenants[1].databasePath: the same store as tenants[0] (prod-eu); give each tenant its own database',
      '20:18: tenants[3].databaseUrl: the same PostgreSQL database as tenants[2] (prod-us); give each tenant its own database',
    ]);
  });

  it('refuses per-tenant settings at the top level, a tenant without a store, and unknown tenants of an issuer', async () => {
    expect(
      await errorsOf([
        ...issuers,
        '    tenants: [prod-eu, staging]',
        'policyPath: shared.yaml',
        'tenants:',
        ...entry('prod-eu', 'targets: {}'),
      ]),
    ).toEqual([
      "7:5: tenants[0].databasePath: set this tenant's own databasePath (SQLite file) or databaseUrl (PostgreSQL)",
      '5:13: policyPath: with tenants, set policyPath in each tenants entry (tenants share nothing); remove it here',
      '4:14: issuers[0].tenants: names no configured tenant: staging (tenants: prod-eu)',
    ]);
  });

  it('refuses to start a tenant whose policy names another tenant', async () => {
    const dir = tempDir();
    const policy = (tenant: string) => {
      const path = join(dir, `${tenant}.yaml`);
      writeFileSync(path, tenantPolicy(tenant, jwtRole('api', ['engineers'])));
      return path;
    };
    const tenant = async (name: string, policyPath: string) => ({
      name,
      policyPath,
      signingKeyPath: join(dir, `${name}.jwk`),
      ...(await testTenantStoreLocation()),
    });
    const parsed = parseBrokerConfig({
      issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'urn:b' }],
      tenants: [
        await tenant('prod-eu', policy('prod-eu')),
        await tenant('prod-us', policy('staging')),
      ],
    });
    if (parsed.status === 'error') throw new Error(parsed.message);
    await expect(startBroker(parsed.config)).rejects.toThrow(
      `tenants[1].policyPath: ${join(dir, 'staging.yaml')} is the policy of tenant "staging", not "prod-us"; give tenant prod-us its own policy file (tenant: prod-us)`,
    );
  });
});
