import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  credentialSchema,
  memberKinds,
  providerContracts,
  providerKindSchema,
} from '../../protocol/broker-api.ts';
import { entitlementSettingsSchema, providerSettingsSchema } from './provider-settings.ts';
import { loadProviderDefinitions } from './registry.ts';

describe('provider registry (one list: protocol/credentials/index.ts)', () => {
  const kinds = providerContracts.map((c) => c.kind);

  it('the kinds, the credential union and the policy union all derive from the one list', () => {
    expect([...memberKinds]).toEqual(kinds);
    expect(providerKindSchema.options).toEqual([...kinds, 'bundle']);
    providerContracts.forEach((c, i) => {
      expect(entitlementSettingsSchema.options[i]).toBe(c.settings);
      expect(credentialSchema.options[i]).toBe(c.credential);
    });
    expect(providerSettingsSchema.options.map((o) => o.shape.kind.value)).toEqual([
      ...kinds,
      'bundle',
    ]);
  });

  it('each listed kind loads from its own folder, with the listed policy schema', async () => {
    const definitions = await loadProviderDefinitions();
    expect(definitions.map((d) => d.kind)).toEqual(kinds);
    definitions.forEach((d, i) => expect(d.policySchema).toBe(providerContracts[i]?.settings));
  });

  it('every provider folder is listed (a folder without its line would never start)', () => {
    const root = new URL('.', import.meta.url).pathname;
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(`${root}${e.name}/${e.name}.provider.ts`))
      .map((e) => e.name)
      .filter((name) => name !== 'bundle');
    expect(folders.sort()).toEqual([...kinds].sort());
  });

  it('a role setting of an unknown kind is refused with the known kinds named', () => {
    const parsed = providerSettingsSchema.safeParse({ kind: 'ftp', target: 'x' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/jwt.*postgres.*ssh.*aws.*bundle/);
  });

  it('a bundle needs two or more entitlements, at most one of each kind', () => {
    const jwt = { kind: 'jwt', audience: 'a' };
    expect(providerSettingsSchema.safeParse({ kind: 'bundle', entitlements: [jwt] }).success).toBe(
      false,
    );
    expect(
      providerSettingsSchema.safeParse({ kind: 'bundle', entitlements: [jwt, jwt] }).success,
    ).toBe(false);
    expect(
      providerSettingsSchema.safeParse({
        kind: 'bundle',
        entitlements: [jwt, { kind: 'postgres', target: 'db', role: 'ro' }],
      }).success,
    ).toBe(true);
  });
});
