import { describe, expect, it } from 'vitest';
import { credentialSchema, providerKindSchema } from '../../protocol/broker-api.ts';
import { entitlementSettingsSchema, providerSettingsSchema } from './provider-settings.ts';
import { providerDefinitions } from './registry.ts';

describe('provider registry', () => {
  const kinds = providerDefinitions.map((d) => d.kind);

  it('the policy union holds exactly the registered providers, in order', () => {
    const unionKinds = entitlementSettingsSchema.options.map((o) => o.shape.kind.value);
    expect(unionKinds).toEqual(kinds);
    providerDefinitions.forEach((d, i) => {
      expect(entitlementSettingsSchema.options[i]).toBe(d.policySchema);
    });
    expect(providerSettingsSchema.options.map((o) => o.shape.kind.value)).toEqual([
      ...kinds,
      'bundle',
    ]);
  });

  it('every registered provider has a credential schema and a protocol kind', () => {
    const credentialKinds = credentialSchema.options.map((o) => o.shape.kind.value);
    for (const kind of kinds) {
      expect(credentialKinds).toContain(kind);
      expect(providerKindSchema.options).toContain(kind);
    }
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
