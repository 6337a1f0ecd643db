import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgTarget,
  type PgTargetFixture,
} from '../broker/providers/postgres/pg-target.fixture.ts';
import { batchSshOptions } from '../broker/providers/ssh/ssh-client-options.ts';
import { startSshd, type SshdFixture } from '../broker/providers/ssh/sshd.fixture.ts';
import { startStsStandIn, type StsStandIn } from '../demo/targets/sts-standin.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { fastPath } from './fast-path.ts';
import { waitFor } from './profile-harness.ts';

// Real IdP, broker, PostgreSQL, sshd and gnome-keyring; the real CLI binary.
const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
let pgTarget: PgTargetFixture;
let sshd: SshdFixture;
let sts: StsStandIn;
const AWS_ROLE = 'arn:aws:iam::123456789012:role/orders-readonly';
let stack: DemoStack;
let agent: RunningAgent;
let cliEnv: NodeJS.ProcessEnv;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}
const cli = (...args: string[]): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: cliEnv, cwd: tmpdir() },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
const bash = (script: string): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile('bash', ['-c', script], { env: cliEnv, cwd: tmpdir() }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
      }),
    );
  });

beforeAll(async () => {
  pgTarget = await createPgTarget();
  sshd = await startSshd(['orders-admin']);
  let brokerUrl = '';
  // A stand-in for AWS STS (not AWS), trusting this broker's web identities for AWS_ROLE.
  sts = await startStsStandIn({ issuer: () => brokerUrl, roleArns: [AWS_ROLE] });
  const root = mkdtempSync(join(tmpdir(), 'hg-cred-cli-'));
  const policyPath = join(root, 'policy.yaml');
  const role = (name: string, provider: string) =>
    `  - name: ${name}\n    provider: ${provider}\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n`;
  writeFileSync(
    policyPath,
    'tenant: t\nroles:\n' +
      role('api-ro', '{ kind: jwt, audience: "https://k8s.example", groups: [viewers] }') +
      role('orders-ro', `{ kind: postgres, target: orders, role: ${pgTarget.groupRole} }`) +
      role('orders-ssh', '{ kind: ssh, target: hosts, principals: [orders-admin] }') +
      role('aws-ro', `{ kind: aws, target: sts, roleArn: "${AWS_ROLE}" }`),
  );
  stack = await startDemoStack({
    dataDir: join(root, 'stack'),
    policyPath,
    targets: {
      orders: { kind: 'postgres', adminUrl: { env: 'ORDERS_ADMIN' } },
      sts: { kind: 'aws', endpoint: sts.url },
      hosts: {
        kind: 'ssh',
        caKey: { file: sshd.caKeyPath },
        connect: { host: '127.0.0.1', port: sshd.port },
      },
    },
    env: { ORDERS_ADMIN: pgTarget.adminUrl },
  });
  brokerUrl = stack.brokerUrl;
  const dataDir = join(root, 'agent');
  agent = await startAgent(agentConfigForStack(stack, dataDir));
  cliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOURGLASS_HOME: dataDir,
    TMPDIR: root,
    // Text output shows local times: a zone named here keeps it the same on every box.
    TZ: 'Asia/Kolkata',
  };
  const begun = await agent.handlers.beginLogin({ openBrowser: false });
  if (!begun.ok) throw new Error(begun.error.message);
  const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
    login: 'alice',
    password: 'demo',
  });
  await fetch(callbackUrl);
  const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
  if (!done.ok) throw new Error(done.error.message);
  for (const r of ['api-ro', 'orders-ro', 'orders-ssh', 'aws-ro']) {
    const requested = await cli('request', r, '--for', '10m', '--reason', 'test');
    if (requested.code !== 0) throw new Error(requested.stderr);
  }
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await stack?.close();
  await sshd?.stop();
  await sts?.close();
  await pgTarget?.drop();
});

/** ssh options for the test sshd: no config, no prompts, no known-hosts file. */
const sshToTarget = () => batchSshOptions(sshd.port);

describe('credentials reach programs, not the terminal (real CLI, agent, broker, targets)', () => {
  it('eval "$(hourglass env …)" then psql works; a failing env fails the eval visibly', async () => {
    const ok = await bash(
      `eval "$(node ${BIN} env orders-ro --shell bash)" && psql -X -w -Atc 'select count(*) from orders'`,
    );
    expect(ok).toMatchObject({ code: 0, stdout: '3\n' });
    const bad = await bash(`eval "$(node ${BIN} env no-such-role --shell bash)" && echo loaded`);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).not.toContain('loaded');
    expect(bad.stderr).toMatch(/hourglass: .*no-such-role/);
  }, 20_000);

  it('exec: secrets only in the child, exit code passed through', async () => {
    const count = await cli(
      'exec',
      'orders-ro',
      '--',
      'psql',
      '-X',
      '-w',
      '-Atc',
      'select count(*) from orders',
    );
    expect(count).toMatchObject({ code: 0, stdout: '3\n' });
    expect(
      (await cli('exec', 'orders-ro', '--', 'sh', '-c', 'test -n "$PGPASSWORD" && exit 7')).code,
    ).toBe(7);
    expect((await cli('exec', 'orders-ro', '--', 'no-such-command-hg')).code).toBe(127);
    expect(cliEnv.PGPASSWORD).toBeUndefined();
  }, 20_000);

  it('exec forwards a signal to the child', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'exec',
        'api-ro',
        '--',
        'sh',
        '-c',
        'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done',
      ],
      { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(42);
  }, 20_000);

  it('ssh: the device key (from the keychain) with the certificate logs in; no key file is left', async () => {
    const tmpBefore = readdirSync(cliEnv.TMPDIR ?? tmpdir()).filter((f) =>
      f.startsWith('hourglass-ssh-'),
    );
    const run = await cli(
      'ssh',
      'orders-ssh',
      '--',
      ...sshToTarget(),
      '-o',
      'IdentityAgent=none',
      `${sshd.user}@127.0.0.1`,
      'echo',
      'in-as-$USER',
    );
    expect(run.stderr).not.toMatch(/PRIVATE KEY/);
    expect(run).toMatchObject({ code: 0, stdout: `in-as-${sshd.user}\n` });
    const tmpAfter = readdirSync(cliEnv.TMPDIR ?? tmpdir()).filter((f) =>
      f.startsWith('hourglass-ssh-'),
    );
    expect(tmpAfter).toEqual(tmpBefore);
    // env never prints the private key.
    expect((await cli('env', 'orders-ssh', '--shell', 'json')).stdout).not.toMatch(/PRIVATE/);
  }, 20_000);

  it('kube-credential prints an ExecCredential whose token verifies against the broker JWKS', async () => {
    const run = await cli('kube-credential', 'api-ro');
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as {
      apiVersion: string;
      kind: string;
      status: { token: string; expirationTimestamp: string };
    };
    expect(parsed).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
    });
    expect(parsed.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const jwks = createRemoteJWKSet(new URL(`${stack.brokerUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(parsed.status.token, jwks, {
      audience: 'https://k8s.example',
    });
    expect(payload).toMatchObject({ sub: 'alice', groups: ['viewers'] });
    expect(Date.parse(parsed.status.expirationTimestamp) / 1000).toBe(payload.exp);
  }, 20_000);

  it('credential-process answers the AWS CLI contract (Version 1, a future Expiration)', async () => {
    const run = await cli('credential-process', 'aws-ro');
    expect(run.code, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(
      ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version'].sort(),
    );
    expect(answer.Version).toBe(1);
    expect(Date.parse(String(answer.Expiration))).toBeGreaterThan(Date.now());
    expect(sts.sessions.at(-1)).toMatchObject({ roleArn: AWS_ROLE, subject: 'alice' });
    const notAws = await cli('credential-process', 'orders-ro');
    expect(notAws.code).not.toBe(0);
    expect(notAws.stdout).toBe('');
  }, 20_000);

  it('the fast path answers helpers with one agent call, as the full CLI does; else defers', async () => {
    let printed = '';
    const out = (t: string) => (printed += t);
    expect(await fastPath(['env', 'orders-ro', '--shell', 'json'], cliEnv, out)).toBe(0);
    const full = await cli('env', 'orders-ro', '--shell', 'json');
    expect(JSON.parse(printed)).toEqual(JSON.parse(full.stdout));
    printed = '';
    expect(await fastPath(['kube-credential', 'api-ro'], cliEnv, out)).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ kind: 'ExecCredential' });
    printed = '';
    expect(await fastPath(['credential-process', 'aws-ro'], cliEnv, out)).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ Version: 1 });
    // Not for the fast path: unknown roles, odd flags, another profile, a non-aws role.
    expect(await fastPath(['env', 'no-such-role'], cliEnv, out)).toBeNull();
    expect(await fastPath(['env', 'orders-ro', '--shell', 'tcsh'], cliEnv, out)).toBeNull();
    expect(
      await fastPath(['env', 'orders-ro'], { ...cliEnv, HOURGLASS_PROFILE: 'work' }, out),
    ).toBeNull();
    expect(await fastPath(['credential-process', 'orders-ro'], cliEnv, out)).toBeNull();
  }, 20_000);

  it('status: the fast path (one agent call) prints what the full CLI prints', async () => {
    // Countdowns tick between the two runs; everything else must be the same text.
    const steady = (text: string) => text.replace(/\b\d{1,2}(:\d{2}){1,2}\b/g, '<left>');
    // An ended grant, so the status shows times (its wipe and receipt, in the reader's zone).
    expect((await cli('revoke', 'api-ro')).code).toBe(0);
    await waitFor('the wipe receipt of api-ro', async () => {
      const listed = await agent.handlers.listGrants({});
      const ended = listed.ok ? listed.value.grants.find((g) => g.role === 'api-ro') : undefined;
      return ended?.wipeState === 'wiped' ? true : undefined;
    });
    const zoneBefore = process.env.TZ;
    process.env.TZ = cliEnv.TZ;
    let printed = '';
    try {
      expect(await fastPath(['status'], cliEnv, (t) => (printed += t))).toBe(0);
    } finally {
      if (zoneBefore === undefined) delete process.env.TZ;
      else process.env.TZ = zoneBefore;
    }
    expect(printed).toMatch(
      /api-ro\s+revoked\s+-\s+no\s+\S+\s+wiped \d\d:\d\d:\d\d \+05:30 \(receipt \d\d:\d\d:\d\d \+05:30\)/,
    );
    const full = await new Promise<CliRun>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'status'],
        { env: { ...cliEnv, HOURGLASS_FAST_PATH: '0' }, cwd: tmpdir() },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(full.code, full.stderr).toBe(0);
    expect(printed).toMatch(/orders-ro\s+active/);
    expect(steady(printed)).toBe(steady(full.stdout));
    const viaBin = await cli('status');
    expect(steady(viaBin.stdout)).toBe(steady(full.stdout));
    // Not for the fast path: JSON output, another profile.
    expect(await fastPath(['status', '--json'], cliEnv, () => {})).toBeNull();
    expect(
      await fastPath(['status'], { ...cliEnv, HOURGLASS_PROFILE: 'work' }, () => {}),
    ).toBeNull();
  }, 20_000);

  it('ssh --agent: key and certificate in a running ssh-agent with the time left; ssh logs in through it', async () => {
    const sock = join(cliEnv.TMPDIR ?? tmpdir(), 'agent.sock');
    const sshAgent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      const env = { ...cliEnv, SSH_AUTH_SOCK: sock };
      const deadline = Date.now() + 5000;
      while (!existsSync(sock) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const added = await new Promise<CliRun>((resolve) =>
        execFile(
          process.execPath,
          [BIN, 'ssh', 'orders-ssh', '--agent'],
          { env },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).toMatch(/in your ssh-agent for \d+s/);
      expect(added.stdout).toBe('');
      const listed = await new Promise<string>((resolve) =>
        execFile('ssh-add', ['-l'], { env }, (_e, stdout) => resolve(stdout)),
      );
      expect(listed).toMatch(/ED25519-CERT/);
      const login = await new Promise<number>((resolve) =>
        execFile('ssh', [...sshToTarget(), `${sshd.user}@127.0.0.1`, 'true'], { env }, (error) =>
          resolve(error ? 1 : 0),
        ),
      );
      expect(login).toBe(0);

      // An early end (I'm done) takes key and certificate out of the ssh-agent with the wipe.
      const done = await cli('revoke', 'orders-ssh');
      expect(done.code, done.stderr).toBe(0);
      const list = () =>
        new Promise<string>((resolve) =>
          execFile('ssh-add', ['-l'], { env }, (_e, stdout, stderr) => resolve(stdout + stderr)),
        );
      const until = Date.now() + 10_000;
      let left = await list();
      while (/ED25519/.test(left) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        left = await list();
      }
      expect(left).toMatch(/no identities/);
    } finally {
      sshAgent.kill();
    }
  }, 30_000);

  it('ssh --agent, then extend: the key and a new certificate stay past the old deadline; a revoke takes them out', async () => {
    const sock = join(cliEnv.TMPDIR ?? tmpdir(), 'agent-extend.sock');
    const sshAgent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const env = { ...cliEnv, SSH_AUTH_SOCK: sock };
    const run = (file: string, args: string[]) =>
      new Promise<CliRun>((resolve) =>
        execFile(file, args, { env, cwd: tmpdir() }, (error, stdout, stderr) =>
          resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
    const listed = async () => {
      const out = await run('ssh-add', ['-l']);
      return out.stdout + out.stderr;
    };
    try {
      await waitFor('the ssh-agent socket', () => (existsSync(sock) ? true : undefined));
      const requested = await cli(
        'request',
        'orders-ssh',
        '--for',
        '20s',
        '--reason',
        't',
        '--json',
      );
      expect(requested.code, requested.stderr).toBe(0);
      const firstDeadline = Date.parse(
        (JSON.parse(requested.stdout) as { grant: { expiresAt: string } }).grant.expiresAt,
      );
      const added = await run(process.execPath, [BIN, 'ssh', 'orders-ssh', '--agent']);
      expect(added.code, added.stderr).toBe(0);
      const certBefore = /ED25519-CERT/.test(await listed());
      expect(certBefore).toBe(true);
      const extended = await cli('extend', 'orders-ssh', '--for', '2m');
      expect(extended.code, extended.stderr).toBe(0);
      // Past the first deadline (ssh-add's first lifetime): the key is there (polled: under load
      // the renewal may land after that deadline), with a certificate the server takes.
      await waitFor(
        'the first deadline to pass',
        () => (Date.now() > firstDeadline + 1500 ? true : undefined),
        30_000,
      );
      await waitFor('the renewed key in the ssh-agent', async () =>
        /ED25519-CERT/.test(await listed()) ? true : undefined,
      );
      const login = await run('ssh', [...sshToTarget(), `${sshd.user}@127.0.0.1`, 'true']);
      expect(login.code, login.stderr).toBe(0);
      // The early end still takes the renewed key and certificate out.
      expect((await cli('revoke', 'orders-ssh')).code).toBe(0);
      await waitFor('the keys to leave the ssh-agent', async () =>
        /no identities/.test(await listed()) ? true : undefined,
      );
    } finally {
      sshAgent.kill();
    }
  }, 60_000);
});
