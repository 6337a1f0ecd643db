import { statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { obtainTestTokens } from './idp-login-driver.ts';
import { startDemoStack } from './stack.ts';

describe('startDemoStack', () => {
  it('starts IdP + broker; the broker accepts the IdP token; the key is 0600 and survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hourglass-stack-'));
    const stack = await startDemoStack({ dataDir });
    let firstKid: unknown;
    try {
      expect(stack.clientId).toBe('hourglass-desktop');
      expect(stack.brokerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { accessToken } = await obtainTestTokens(stack.issuer, 'bob', stack.brokerAudience);
      const me = await fetch(`${stack.brokerUrl}/v1/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect((await me.json()).me.groups).toEqual(['engineers', 'approvers']);
      firstKid = (await (await fetch(`${stack.brokerUrl}/.well-known/jwks.json`)).json()).keys[0]
        .kid;
    } finally {
      await stack.close();
    }
    expect(statSync(join(dataDir, 'broker-signing-key.jwk')).mode & 0o777).toBe(0o600);
    const again = await startDemoStack({ dataDir });
    try {
      const jwks = await (await fetch(`${again.brokerUrl}/.well-known/jwks.json`)).json();
      expect(jwks.keys[0].kid).toBe(firstKid);
      expect(jwks.keys[0].d).toBeUndefined();
    } finally {
      await again.close();
    }
  });
});
