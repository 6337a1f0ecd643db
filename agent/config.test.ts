import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentEnvironment, loadAgentConfig, resolveDataDir } from './config.ts';

const home = () => mkdtempSync(join(tmpdir(), 'hg-config-'));

describe('loadAgentConfig', () => {
  it("threat: settings steer an agent's secrets to another keyring: the demo's keyring bus is honoured in demo settings only, for every profile", () => {
    const base = home();
    const settings = {
      issuer: 'https://idp.example',
      brokerUrl: 'https://b.example',
      demoKeyringBus: 'unix:path=/tmp/dbus-demo,guid=abc',
    };
    const env = { HOURGLASS_HOME: base, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1/bus' };
    writeFileSync(join(base, 'config.json'), JSON.stringify(settings));
    const real = loadAgentConfig(env);
    expect(real.ok && real.value.demoKeyringBus).toBeUndefined();
    expect(real.ok && agentEnvironment(env, real.value).DBUS_SESSION_BUS_ADDRESS).toBe(
      'unix:path=/run/user/1/bus',
    );
    writeFileSync(join(base, 'config.json'), JSON.stringify({ ...settings, demo: true }));
    // bob has no settings of his own: he inherits the demo's, its keyring included.
    const bob = loadAgentConfig({ ...env, HOURGLASS_PROFILE: 'bob' });
    expect(bob.ok && agentEnvironment(env, bob.value).DBUS_SESSION_BUS_ADDRESS).toBe(
      'unix:path=/tmp/dbus-demo,guid=abc',
    );
    writeFileSync(
      join(base, 'config.json'),
      JSON.stringify({ ...settings, demo: true, demoKeyringBus: 'tcp:host=evil.example,port=1' }),
    );
    const tcp = loadAgentConfig(env);
    expect(!tcp.ok && tcp.error.message).toContain('demoKeyringBus');
  });

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

  it('gives each profile its own data dir, inheriting the default profile settings', () => {
    const dir = home();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ issuer: 'https://idp.example', brokerUrl: 'https://b.example', demo: true }),
    );
    const bob = loadAgentConfig({ HOURGLASS_HOME: dir, HOURGLASS_PROFILE: 'bob' });
    expect(bob).toMatchObject({
      ok: true,
      value: {
        profile: 'bob',
        demo: true,
        dataDir: join(dir, 'profiles', 'bob'),
        socketPath: join(dir, 'profiles', 'bob', 'agent.sock'),
      },
    });
    expect(loadAgentConfig({ HOURGLASS_HOME: dir })).toMatchObject({
      ok: true,
      value: { profile: 'default', dataDir: dir },
    });
    const bad = loadAgentConfig({ HOURGLASS_HOME: dir, HOURGLASS_PROFILE: '../etc' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it("prefers a profile's own config file", () => {
    const dir = home();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ issuer: 'https://idp.example', brokerUrl: 'https://b.example' }),
    );
    const own = join(dir, 'profiles', 'work');
    mkdirSync(own, { recursive: true });
    writeFileSync(
      join(own, 'config.json'),
      JSON.stringify({ issuer: 'https://idp.work', brokerUrl: 'https://b.work' }),
    );
    expect(loadAgentConfig({ HOURGLASS_HOME: dir, HOURGLASS_PROFILE: 'work' })).toMatchObject({
      ok: true,
      value: { issuer: 'https://idp.work', brokerUrl: 'https://b.work' },
    });
  });
});
