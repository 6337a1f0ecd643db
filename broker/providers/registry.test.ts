import { describe, expect, it } from 'vitest';
import { credentialSchema, providerKindSchema } from '../../protocol/broker-api.ts';
import { providerSettingsSchema } from './provider-settings.ts';
import { providerDefinitions } from './registry.ts';

describe('provider registry', () => {
  const kinds = providerDefinitions.map((d) => d.kind);

  it('the policy union holds exactly the registered providers, in order', () => {
    const unionKinds = providerSettingsSchema.options.map((o) => o.shape.kind.value);
    expect(unionKinds).toEqual(kinds);
    providerDefinitions.forEach((d, i) => {
      expect(providerSettingsSchema.options[i]).toBe(d.policySchema);
    });
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
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/jwt.*postgres/);
  });
});
