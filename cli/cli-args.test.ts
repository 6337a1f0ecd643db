import { describe, expect, it } from 'vitest';
import type { AgentHandlers, Result } from '../protocol/index.ts';
import { fail } from '../protocol/index.ts';
import { runCli } from './main.ts';
import { defaultShell, parseForFlag } from './flags.ts';
import { exitCodeFor } from './exit-codes.ts';
import { withProfileHints } from './command-support.ts';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  let connected = 0;
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {},
    connect: (): Promise<Result<AgentHandlers>> => {
      connected += 1;
      return Promise.resolve(fail('unavailable', 'no agent in this test'));
    },
    runAgent: () => Promise.resolve(0),
  });
  return { code, out, err, connected };
}

describe('CLI argument errors', () => {
  it('rejects a missing --for with exit 2, naming the flag, before reaching the agent', async () => {
    const r = await run(['request', 'prod-api-readonly', '--reason', 'x']);
    expect(r).toMatchObject({ code: 2, connected: 0, out: '' });
    expect(r.err).toContain('--for');
  });

  it('rejects a bad duration with exit 2, naming --for', async () => {
    const r = await run(['request', 'prod-api-readonly', '--for', '15 minutes', '--reason', 'x']);
    expect(r).toMatchObject({ code: 2, connected: 0 });
    expect(r.err).toContain("option '--for <duration>'");
    expect(r.err).toContain('not a duration');
  });

  it('rejects an unknown shell and an unknown command with exit 2', async () => {
    expect((await run(['env', 'r', '--shell', 'tcsh'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('documents exit codes in --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Exit codes:[\s\S]*4 {2}denied by policy[\s\S]*5 {2}broker, keychain/);
  });

  it('lists the lifecycle commands and the global options in --help', async () => {
    const r = await run(['--help']);
    for (const command of [
      'extend',
      'revoke',
      'cancel',
      'approvals',
      'approve',
      'deny',
      'history',
      'logout',
    ])
      expect(r.out).toMatch(new RegExp(`\\n  ${command} `));
    expect(r.out).toContain('--profile <name>');
    expect(r.out).toContain('--json');
    expect(r.out).toMatch(/7 {2}request --wait: the request was denied/);
  });

  it('refuses a bad profile name and deny without a reason, before reaching the agent', async () => {
    const bad = await run(['--profile', '../x', 'status']);
    expect(bad).toMatchObject({ code: 2, connected: 0 });
    expect(bad.err).toContain('profile name');
    const deny = await run(['deny', 'g1']);
    expect(deny).toMatchObject({ code: 2, connected: 0 });
    expect(deny.err).toContain('--reason');
  });

  it("takes a grant id that starts with '-' as the grant, not an option", async () => {
    for (const argv of [
      ['approve', '-Ab3'],
      ['deny', '-Ab3', '--reason', 'no'],
      ['cancel', '-Ab3'],
    ]) {
      expect(await run(argv)).toMatchObject({ code: 5, connected: 1 });
    }
  });

  it('prints a failure as JSON on stdout with --json', async () => {
    const r = await run(['status', '--json']);
    expect(r).toMatchObject({ code: 5, err: '' });
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'unavailable', message: 'no agent in this test' },
    });
  });

  it('json contract broken: with --json a usage error is one JSON error object on stdout', async () => {
    for (const argv of [
      ['--json', 'request', 'r', '--for', '15m', '--bogus'],
      ['--json', 'request'],
      ['--json', 'request', 'r', '--for', 'soon'],
      ['frobnicate', '--json'],
    ]) {
      const r = await run(argv);
      expect(r).toMatchObject({ code: 2, connected: 0, err: '' });
      const parsed = JSON.parse(r.out) as { error: { code: string; message: string } };
      expect(parsed.error.code).toBe('bad_request');
      expect(parsed.error.message).toMatch(/hourglass --help/);
    }
    const soon = await run(['--json', 'request', 'r', '--for', 'soon']);
    expect(soon.out).toContain('--for');
  });

  it('json contract broken: --json env fails as one JSON object, with no shell lines', async () => {
    const r = await run(['--json', 'env', 'r']);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'unavailable', message: 'no agent in this test' },
    });
  });

  it('prints the package version and exits 0 without reaching the agent', async () => {
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0, connected: 0, out: '0.1.0\n' });
  });

  it('maps an unavailable agent to exit 5 with a one-line message', async () => {
    const r = await run(['roles']);
    expect(r).toMatchObject({ code: 5, connected: 1, err: 'hourglass: no agent in this test\n' });
  });
});

describe('hints for a profile', () => {
  it('name the profile in every command they suggest', () => {
    const text =
      'hourglass: run `hourglass login`\nUse it with: eval "$(hourglass env r)"\nDecide with: hourglass approve g1\n';
    expect(withProfileHints(text, { HOURGLASS_PROFILE: 'bob' })).toBe(
      'hourglass: run `hourglass --profile bob login`\nUse it with: eval "$(hourglass --profile bob env r)"\nDecide with: hourglass --profile bob approve g1\n',
    );
    expect(withProfileHints(text, {})).toBe(text);
  });
});

describe('flag parsers', () => {
  it('parses durations', () => {
    expect(parseForFlag('90s')).toBe(90);
    expect(parseForFlag('15m')).toBe(900);
    expect(parseForFlag('1h')).toBe(3600);
    expect(() => parseForFlag('0s')).toThrow(/longer than 0s/);
  });

  it('picks the shell from $SHELL', () => {
    expect(defaultShell({ SHELL: '/usr/bin/fish' })).toBe('fish');
    expect(defaultShell({ SHELL: '/bin/tcsh' })).toBe('bash');
  });

  it('maps error codes to exit codes', () => {
    expect(exitCodeFor('policy_violation')).toBe(4);
    expect(exitCodeFor('not_logged_in')).toBe(3);
    expect(exitCodeFor('keychain_unavailable')).toBe(5);
    expect(exitCodeFor('grant_not_active')).toBe(2);
    expect(exitCodeFor('already_active')).toBe(6);
    expect(exitCodeFor('budget_exhausted')).toBe(6);
    expect(exitCodeFor('not_approver')).toBe(4);
  });
});
