import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, resolveDataDir } from './config.ts';

const home = () => mkdtempSync(join(tmpdir(), 'hg-config-'));

describe('loadAgentConfig', () => {
  it('names the missing variable', () => {
    const r = loadAgentConfig({
      HOURGLASS_HOME: home(),
      HOURGLASS_BROKER_URL: 'https://b.example',
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(!r.ok && r.error.message).toContain('HOURGLASS_ISSUER');
  });

  it('refuses plain http unless allowed, and then only for loopback', () => {
    const base = { HOURGLASS_HOME: home(), HOURGLASS_BROKER_URL: 'http://127.0.0.1:9/' };
    const refused = loadAgentConfig({ ...base, HOURGLASS_ISSUER: 'http://127.0.0.1:8' });
    expect(!refused.ok && refused.error.message).toContain('HOURGLASS_ISSUER must use https');
    const remote = loadAgentConfig({
      ...base,
      HOURGLASS_ISSUER: 'http://idp.example',
      HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    });
    expect(remote.ok).toBe(false);
    const local = loadAgentConfig({
      ...base,
      HOURGLASS_ISSUER: 'http://127.0.0.1:8',
      HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    });
    expect(local).toMatchObject({
      ok: true,
      value: { brokerUrl: 'http://127.0.0.1:9', clientId: 'hourglass-desktop' },
    });
  });

  it('reads config.json, with env taking precedence', () => {
    const dir = home();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        issuer: 'https://idp.example',
        brokerUrl: 'https://b.example',
        demo: true,
        warnBeforeSeconds: [60],
      }),
    );
    const r = loadAgentConfig({
      HOURGLASS_HOME: dir,
      HOURGLASS_BROKER_URL: 'https://other.example',
    });
    expect(r).toMatchObject({
      ok: true,
      value: {
        issuer: 'https://idp.example',
        brokerUrl: 'https://other.example',
        demo: true,
        warnBeforeSeconds: [60],
        socketPath: join(dir, 'agent.sock'),
      },
    });
  });

  it('reports a malformed config file by path', () => {
    const dir = home();
    writeFileSync(join(dir, 'config.json'), '{ nope');
    const r = loadAgentConfig({ HOURGLASS_HOME: dir });
    expect(!r.ok && r.error.message).toContain(join(dir, 'config.json'));
  });

  it('defaults the data dir to XDG state', () => {
    expect(resolveDataDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/hourglass');
    expect(resolveDataDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/hourglass');
  });
});
