/**
 * Terminal escape injection (issue 18, finding 4): whatever free text an older or hostile broker,
 * or its IdP, sends through the agent, the CLI prints no raw control or bidi character — every
 * one is shown as a visible escape — and no forged line. Also (finding 12): the broker-named ssh
 * host can never be read as an ssh option.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayText } from '../protocol/plain-text.ts';
import { fastPath } from './fast-path.ts';
import { runCli } from './main.ts';
import {
  HOSTILE,
  RAW_CONTROL,
  deniedGrant,
  startHostileAgent,
  type HostileAgent,
} from './hostile-agent.test-support.ts';

let agent: HostileAgent;
beforeAll(async () => {
  agent = await startHostileAgent();
});
afterAll(() => agent.close());

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: agent.env,
    interactive: false,
  });
  return { code, out, err, all: out + err };
}

/** What a terminal would show: no raw control or bidi character, no forged line, escapes visible. */
function expectInert(text: string) {
  expect(text).not.toMatch(RAW_CONTROL);
  for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*approved by security/);
  expect(text).toContain('\\x1b]0;pwned\\x07');
  expect(text).toContain('\\u202etxt.exe');
}

describe('the CLI prints broker-supplied text inert (threat: terminal escape injection by a hostile broker or IdP)', () => {
  it('request --wait: the wait line and the deny comment', async () => {
    const r = await cli('request', 'prod-api-admin', '--for', '10m', '--reason', 'x', '--wait');
    expect(r.code).toBe(7);
    expect(r.all).toContain('denied');
    expectInert(r.all);
  });

  it.each([['approvals'], ['status'], ['history'], ['roles']])('%s', async (command) => {
    const r = await cli(command);
    expect(r.code).toBe(0);
    expectInert(r.all);
  });

  it('console: a hostile URL from the agent reaches the terminal percent-encoded', async () => {
    for (const args of [
      ['console', '--no-browser'],
      ['--json', 'console', '--no-browser'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.out).toContain('http://127.0.0.1:1/#token=');
      expect(r.all).not.toMatch(RAW_CONTROL);
    }
  });

  it('deny: the answer, and a refusal message from the broker', async () => {
    const denied = await cli('deny', 'g_hostile', '--reason', 'no');
    expect(denied.code).toBe(0);
    expectInert(denied.all);
    const refused = await cli('revoke', 'g_hostile');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('\\x1b]0;pwned');
    expect(refused.all).not.toMatch(RAW_CONTROL);
  });

  it('--json: the same data, with no raw control or bidi character on the terminal', async () => {
    const r = await cli(
      'request',
      'prod-api-admin',
      '--for',
      '10m',
      '--reason',
      'x',
      '--wait',
      '--json',
    );
    expect(r.out).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(r.out) as { grant: unknown }).grant).toEqual(deniedGrant());
    const status = await cli('status', '--json');
    expect(status.out).not.toMatch(RAW_CONTROL);
    expect(JSON.stringify(JSON.parse(status.out))).toContain(JSON.stringify(HOSTILE).slice(1, -1));
  });

  it('the fast path of `status` too', async () => {
    let out = '';
    const code = await fastPath(['status'], agent.env, (t) => (out += t));
    expect(code).toBe(0);
    expectInert(out);
  });

  it('shows the text itself, escaped, not a cleaned version that hides what was sent', () => {
    expect(displayText(HOSTILE)).toContain('\\rapproved by security\\napproved by security');
  });
});

describe('hourglass ssh with a broker-named host (threat: ssh option injection, finding 12)', () => {
  it('a host starting with "-" is refused and ssh never runs', async () => {
    agent.setSshHost('-oProxyCommand=touch /tmp/hourglass-pwned');
    const r = await cli('ssh', 'prod-api-admin');
    expect(r.code).toBe(5);
    expect(r.err).toContain('starting with "-"');
    expect(agent.sshArgs()).toBeNull();
  });

  it('a host is passed after `--`, so ssh can only read it as the destination', async () => {
    agent.setSshHost('db.internal');
    const r = await cli('ssh', 'prod-api-admin');
    expect(r.code).toBe(0);
    const args = agent.sshArgs() ?? [];
    expect(args.slice(-2)).toEqual(['--', 'db.internal']);
    expect(args).toContain('IdentitiesOnly=yes');
    expect(args.indexOf('-p')).toBeLessThan(args.indexOf('--'));
  });
});
