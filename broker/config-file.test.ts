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
