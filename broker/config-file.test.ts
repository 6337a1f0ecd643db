import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from './config-file.ts';
import { tempDir } from './test-support.ts';

const base = [
  'issuers:',
  '  - issuer: "http://127.0.0.1:9/"',
  '    audience: urn:hourglass:broker',
  'policyPath: policy.yaml',
  'databasePath: broker.sqlite',
  'signingKeyPath: key.jwk',
];

function file(lines: string[]): string {
  const path = join(tempDir(), 'broker.yaml');
  writeFileSync(path, lines.join('\n'));
  return path;
}

describe('broker config file', () => {
  it('names every error with line, column and field', async () => {
    const path = file([...base, 'port: 99999', 'rateLimitPerMinute: -1']);
    const result = await loadConfigFile(path, {});
    expect(result.status === 'error' && result.message.split('\n')).toEqual([
      `${path}:7:7: port: Too big: expected number to be <=65535`,
      `${path}:8:21: rateLimitPerMinute: Too small: expected number to be >0`,
    ]);
  });

  it('takes HOURGLASS_* environment overrides, and names the variable when one is bad', async () => {
    const path = file(base);
    const url = 'postgres://u@127.0.0.1:5432/hourglass';
    const ok = await loadConfigFile(path, { HOURGLASS_DATABASE_URL: url, HOURGLASS_PORT: '8443' });
    expect(ok).toMatchObject({ status: 'success', config: { databaseUrl: url, port: 8443 } });
    const bad = await loadConfigFile(path, { HOURGLASS_DATABASE_URL: 'mysql://x' });
    expect(bad.status === 'error' && bad.message).toBe(
      `${path} (from HOURGLASS_DATABASE_URL): databaseUrl: a PostgreSQL URL starts with postgres:// or postgresql://`,
    );
  });
});

describe('trusted proxies (X-Forwarded-For spoofing, issue 18 finding 5)', () => {
  it('refuses `trustProxy: true` at load, naming the line and what to write instead', async () => {
    const path = file([...base, 'trustProxy: true']);
    const result = await loadConfigFile(path, {});
    expect(result.status === 'error' && result.message).toBe(
      `${path}:7:13: trustProxy: \`true\` would believe any client's X-Forwarded-For, so a client could pick its own address and escape the per-address rate limit; list the proxies in front of the broker instead, e.g. [10.0.0.5] or [10.0.0.0/8, fd00::/8]`,
    );
  });

  it('names each bad entry of the list on its own line: not an address, a catch-all block, a bad prefix', async () => {
    const path = file([
      ...base,
      'trustProxy:',
      '  - 10.0.0.5',
      '  - proxy.internal',
      '  - 0.0.0.0/0',
      '  - fd00::/129',
      '  - 10.1.0.0/16',
    ]);
    const result = await loadConfigFile(path, {});
    expect(result.status === 'error' && result.message.split('\n')).toEqual([
      `${path}:9:5: trustProxy[1]: "proxy.internal" is not an IP address or CIDR block (e.g. [10.0.0.5] or [10.0.0.0/8, fd00::/8])`,
      `${path}:10:5: trustProxy[2]: "0.0.0.0/0" trusts every address, as \`true\` would; name the proxies' own addresses or range`,
      `${path}:11:5: trustProxy[3]: "fd00::/129": the prefix length must be a whole number from 1 to 128`,
    ]);
  });

  it.each([['false'], ['1'], ['"10.0.0.5"'], ['[]'], ['{ hops: 1 }']])(
    'refuses trustProxy: %s in a JSON config too, with its line',
    async (value) => {
      const path = file([
        '{',
        '  "issuers": [{ "issuer": "http://127.0.0.1:9/", "audience": "urn:hourglass:broker" }],',
        '  "policyPath": "policy.yaml", "databasePath": "b.sqlite", "signingKeyPath": "k.jwk",',
        `  "trustProxy": ${value}`,
        '}',
      ]);
      const result = await loadConfigFile(path, {});
      expect(result.status === 'error' && result.message).toMatch(
        new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:17: trustProxy: list`),
      );
    },
  );

  it('takes a list of addresses and blocks, IPv4 and IPv6', async () => {
    const path = file([...base, 'trustProxy: [10.0.0.5, 10.1.0.0/16, "::1", "fd00::/8"]']);
    expect(await loadConfigFile(path, {})).toMatchObject({
      status: 'success',
      config: { trustProxy: ['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8'] },
    });
  });
});
