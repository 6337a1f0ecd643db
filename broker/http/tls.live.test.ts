/** Listening with TLS from certificate files, logging JSON lines with request ids and no tokens. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../config.ts';
import { startBroker, type RunningBroker } from '../start-broker.ts';
import { tempDir, testStoreLocation } from '../test-support.ts';
import { DEMO_POLICY_PATH } from '../../demo/stack.ts';

let broker: RunningBroker;
let ca: Buffer;

beforeAll(async () => {
  const dir = tempDir();
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(cert);
  const parsed = parseBrokerConfig({
    issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'urn:hourglass:broker' }],
    policyPath: DEMO_POLICY_PATH,
    signingKeyPath: join(dir, 'key.jwk'),
    tls: { certPath: cert, keyPath: key },
    ...(await testStoreLocation()),
  });
  if (parsed.status === 'error') throw new Error(parsed.message);
  broker = await startBroker(parsed.config);
});
afterAll(async () => {
  await broker?.close();
});

const get = (path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${broker.url}${path}`, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('TLS from certificate files', () => {
  it('serves /readyz over https', async () => {
    expect(broker.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await get('/readyz')).toEqual({ status: 200, body: '{"status":"ready"}' });
  });

  it('refuses a host beyond loopback without tls or a trusted proxy, saying what to set', () => {
    const parsed = parseBrokerConfig({
      host: '0.0.0.0',
      issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'a' }],
      policyPath: 'p',
      signingKeyPath: 'k',
      databasePath: 'd',
    });
    expect(parsed.status === 'error' && parsed.message).toContain(
      'host: listening beyond loopback needs tls',
    );
    expect(
      parseBrokerConfig({
        host: '0.0.0.0',
        trustProxy: ['10.0.0.0/8'],
        issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'a' }],
        policyPath: 'p',
        signingKeyPath: 'k',
        databasePath: 'd',
      }).status,
    ).toBe('success');
  });
});
