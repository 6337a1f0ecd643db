/**
 * Real clients nobody here wrote, against the real agent, CLI, broker and targets: kubectl (both
 * ExecCredential versions), the shells every offered line is for (bash, zsh, dash, fish; pwsh and
 * nu where installed), the AWS CLI and Debian's boto3, and the docker CLI's --env-file parsing.
 * A client that is not installed is skipped with its name and the reason in the test title.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgTarget,
  type PgTargetFixture,
} from '../broker/providers/postgres/pg-target.fixture.ts';
import { startStsStandIn, type StsStandIn } from '../demo/targets/sts-standin.ts';
import { startResourceServer, type ResourceServer } from '../demo/targets/http-resource-server.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { terminalLaunch } from '../electron/terminal-launch.ts';
import { exportCommand } from '../protocol/export-command.ts';
import type { LocalGrant } from '../protocol/index.ts';
import { fastPath } from './fast-path.ts';
import { formatRequested } from './format.ts';
import { hintShell } from './flags.ts';
import {
  findOnPath,
  hourglassOnPath,
  plantCredential,
  run,
  startEngineRecorder,
  startTlsFront,
  type Run,
  type TlsFront,
} from './real-clients.test-support.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hourglass.js');
const K8S_AUDIENCE = 'https://k8s.example.internal';
const AWS_ROLE = 'arn:aws:iam::123456789012:role/orders-readonly';
const AWS_REGION = 'eu-central-1';
const KUBE_V1 = 'client.authentication.k8s.io/v1';
const KUBE_V1BETA1 = 'client.authentication.k8s.io/v1beta1';

// kubectl on PATH (google-cloud-sdk's 1.32 here; Debian's kubernetes-client 1.20 on a clean CI box).
const KUBECTL = findOnPath('kubectl');
/** kubectl's minor version: the ExecCredential v1 came with 1.22 (Debian's 1.20 knows v1beta1). */
function kubectlMinor(): number {
  if (!KUBECTL) return 0;
  const out = spawnSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  try {
    const parsed = JSON.parse(out.stdout) as { clientVersion?: { minor?: string } };
    return Number.parseInt(parsed.clientVersion?.minor ?? '0', 10) || 0;
  } catch {
    return 0;
  }
}
const KUBECTL_MINOR = kubectlMinor();
// Debian's awscli (v2) first: /root/.pyenv/shims/aws may be another install.
const AWS = findOnPath('aws', ['/usr/bin/aws']);
const DOCKER = findOnPath('docker');
const PYTHON = findOnPath('python3', ['/usr/bin/python3']);
// Debian's python3-boto3 (botocore 1.29): it reads the region only from AWS_DEFAULT_REGION.
const BOTO3 = PYTHON !== null && spawnSync(PYTHON, ['-c', 'import boto3']).status === 0;
const SHELLS = {
  bash: findOnPath('bash'),
  zsh: findOnPath('zsh'),
  dash: findOnPath('dash'),
  fish: findOnPath('fish'),
  pwsh: findOnPath('pwsh'),
  nu: findOnPath('nu'),
};
type ShellName = keyof typeof SHELLS;

let pgTarget: PgTargetFixture;
let sts: StsStandIn;
let stack: DemoStack;
let agent: RunningAgent;
let api: ResourceServer;
let front: TlsFront;
let root: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
const canary = () => join(root, 'pwned');

const cli = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args], env);

/** The variables `env` hands out for `role`, as JSON (what every line must load, unchanged). */
async function expectedVars(role: string): Promise<Record<string, string>> {
  const json = await cli('env', role, '--shell', 'json');
  expect(json.code, json.stderr).toBe(0);
  return JSON.parse(json.stdout) as Record<string, string>;
}

async function activeGrant(role: string): Promise<LocalGrant> {
  const snapshot = await agent.handlers.getSnapshot({});
  if (!snapshot.ok) throw new Error(snapshot.error.message);
  const grant = snapshot.value.grants.find((g) => g.role === role && g.status === 'active');
  if (!grant) throw new Error(`no active ${role} grant`);
  return grant;
}
const grantIdOf = async (role: string) => (await activeGrant(role)).id;

beforeAll(async () => {
  pgTarget = await createPgTarget();
  let brokerUrl = '';
  sts = await startStsStandIn({ issuer: () => brokerUrl, roleArns: [AWS_ROLE] });
  root = mkdtempSync(join(tmpdir(), 'hg-real-clients-'));
  const policyPath = join(root, 'policy.yaml');
  const role = (name: string, provider: string) =>
    `  - name: ${name}\n    provider: ${provider}\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n`;
  // Named as the README names them, so its lines run as written.
  writeFileSync(
    policyPath,
    'tenant: t\nroles:\n' +
      role('prod-api-readonly', '{ kind: jwt, audience: "https://api.example" }') +
      role('kube-ro', `{ kind: jwt, audience: "${K8S_AUDIENCE}" }`) +
      role(
        'prod-orders-readonly',
        `{ kind: postgres, target: orders, role: ${pgTarget.groupRole} }`,
      ) +
      role('prod-orders-aws', `{ kind: aws, target: sts, roleArn: "${AWS_ROLE}" }`),
  );
  stack = await startDemoStack({
    dataDir: join(root, 'stack'),
    policyPath,
    targets: {
      orders: { kind: 'postgres', adminUrl: { env: 'ORDERS_ADMIN' } },
      sts: { kind: 'aws', endpoint: sts.url, region: AWS_REGION },
    },
    env: { ORDERS_ADMIN: pgTarget.adminUrl },
  });
  brokerUrl = stack.brokerUrl;
  // The API server kubectl talks to (over TLS): it checks the bearer token through the broker's
  // JWKS, then introspection (so a revoked grant is refused at once).
  api = await startResourceServer({ brokerUrl, audience: K8S_AUDIENCE });
  front = await startTlsFront(api.url);
  dataDir = join(root, 'agent');
  agent = await startAgent(agentConfigForStack(stack, dataDir));
  const home = join(root, 'home');
  env = {
    PATH: `${hourglassOnPath()}:${process.env.PATH ?? ''}`,
    HOME: home,
    HOURGLASS_HOME: dataDir,
    TMPDIR: root,
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    ...(process.env.DBUS_SESSION_BUS_ADDRESS
      ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS }
      : {}),
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
  for (const r of ['prod-api-readonly', 'kube-ro', 'prod-orders-readonly', 'prod-orders-aws']) {
    const requested = await cli('request', r, '--for', '30m', '--reason', 'test');
    if (requested.code !== 0) throw new Error(requested.stderr);
    await expectedVars(r);
  }
}, 90_000);

afterAll(async () => {
  await agent?.close();
  await front?.close();
  await api?.close();
  await stack?.close();
  await sts?.close();
  await pgTarget?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function kubeconfig(apiVersion: string): string {
  const path = join(root, `kubeconfig-${apiVersion.split('/')[1] ?? 'x'}`);
  // v1 needs interactiveMode (kubectl refuses the file without it); v1beta1 as older kubectl has it.
  const interactive = apiVersion === KUBE_V1 ? '        interactiveMode: Never\n' : '';
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${front.url}
      certificate-authority-data: ${Buffer.from(front.caPem).toString('base64')}
users:
  - name: hourglass-kube-ro
    user:
      exec:
        apiVersion: ${apiVersion}
        command: hourglass
        args: [kube-credential, kube-ro]
${interactive}contexts:
  - name: test
    context: { cluster: test, user: hourglass-kube-ro }
current-context: test
`,
    { mode: 0o600 },
  );
  return path;
}

const kubectl = (apiVersion: string) =>
  run(KUBECTL ?? 'kubectl', ['--kubeconfig', kubeconfig(apiVersion), 'get', '--raw', '/version'], {
    ...env,
    KUBECONFIG: '',
  });

describe('kubectl (real) with hourglass kube-credential', () => {
  it.skipIf(!KUBECTL)(
    `kubectl ${KUBECTL ? `1.${KUBECTL_MINOR} ` : '(skipped: no kubectl on PATH; apt-get install kubernetes-client) '}reaches an API server that checks the bearer token with a v1${KUBECTL_MINOR >= 22 ? '' : ' (skipped: kubectl before 1.22 has no v1)'} and a v1beta1 kubeconfig; after a revoke neither does and the old token is refused`,
    async () => {
      const versions = KUBECTL_MINOR >= 22 ? [KUBE_V1, KUBE_V1BETA1] : [KUBE_V1BETA1];
      for (const version of versions) {
        const answer = await kubectl(version);
        expect(answer.code, `${version}: ${answer.stderr}`).toBe(0);
        expect(JSON.parse(answer.stdout)).toMatchObject({ caller: 'alice' });
      }
      const issued = await cli('kube-credential', 'kube-ro');
      const { token } = (JSON.parse(issued.stdout) as { status: { token: string } }).status;
      expect((await cli('revoke', 'kube-ro')).code).toBe(0);
      for (const version of versions) {
        const refused = await kubectl(version);
        expect(refused.code, version).not.toBe(0);
        expect(refused.stdout).not.toContain('alice');
      }
      const replay = await fetch(`${api.url}/version`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(replay.status).toBe(401);
    },
    60_000,
  );

  it('hostile KUBERNETES_EXEC_INFO (not JSON, not an ExecCredential, an unknown version, terminal escapes, huge) is refused with a clear error and no token', async () => {
    const hostile = [
      'not json',
      '[]',
      'null',
      '{"kind":"ExecCredential"}',
      '{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}',
      '{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}',
      '{"apiVersion":"\\u001b]0;owned\\u0007\\u001b[2J","kind":"ExecCredential"}',
      `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","pad":"${'x'.repeat(100_000)}"}`,
    ];
    for (const info of hostile) {
      const answer = await run(process.execPath, [BIN, 'kube-credential', 'prod-api-readonly'], {
        ...env,
        KUBERNETES_EXEC_INFO: info,
      });
      expect(answer.code, info.slice(0, 80)).toBe(2);
      expect(answer.stdout).toBe('');
      expect(answer.stderr).toMatch(/^hourglass: .*KUBERNETES_EXEC_INFO|^hourglass: kubectl asked/);
      expect(answer.stderr).not.toContain('\u001b');
      expect(answer.stderr.length).toBeLessThan(400);
    }
    const v1alpha1 = await run(process.execPath, [BIN, 'kube-credential', 'prod-api-readonly'], {
      ...env,
      KUBERNETES_EXEC_INFO: hostile[5],
    });
    expect(v1alpha1.stderr).toContain('client.authentication.k8s.io/v1alpha1');
    expect(v1alpha1.stderr).toContain('apiVersion');
  }, 60_000);
});

/** A command in `shell` that writes the environment as JSON to `file` (after the line ran). */
function dumpEnv(shell: ShellName, file: string): string {
  const script = `require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))`;
  if (shell === 'pwsh') return `& '${process.execPath}' -e "${script}" '${file}'`;
  if (shell === 'nu') return `^'${process.execPath}' -e "${script}" '${file}'`;
  return `'${process.execPath}' -e "${script}" '${file}'`;
}

interface OfferedLine {
  source: string;
  shell: ShellName;
  /** Runs the line and then `dump` in the real shell. */
  exec(dump: string): Promise<Run>;
}

const shellPath = (shell: ShellName) => SHELLS[shell] ?? shell;
const inShell = (shell: ShellName, line: string) => (dump: string) =>
  run(shellPath(shell), ['-c', `${line}\n${dump}`], { ...env, SHELL: shellPath(shell) });

/** The README's lines that load `env` into a shell, with the shells each is for. */
function readmeLines(): Array<{ line: string; shells: ShellName[] }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((b) => b.split('\n'))
    .filter((l) => /hourglass(\.js)? env\b/.test(l))
    .map((l) => {
      const comment = / {2,}# (.*)$/.exec(l)?.[1] ?? '';
      const line = l.replace(/ {2,}# .*$/, '');
      const shells: ShellName[] = comment.startsWith('fish')
        ? ['fish']
        : comment.startsWith('PowerShell')
          ? ['pwsh']
          : comment.startsWith('nushell')
            ? ['nu']
            : ['bash', 'zsh', 'dash'];
      return { line, shells };
    });
}

function offeredLines(role: string, grant: LocalGrant): OfferedLine[] {
  const lines: OfferedLine[] = [];
  const appShells = ['bash', 'zsh', 'fish'] as const;
  for (const shell of appShells) {
    lines.push({
      source: 'app: Copy export command',
      shell,
      exec: inShell(shell, exportCommand(role, 'default', shell)),
    });
    // "Open terminal": the terminal runs `<shell> -c '<line>; exec <shell>'`; the shell it
    // execs reads its commands from stdin here, where a person would type them.
    const [, program, flag, script] = terminalLaunch('linux', role, 'default', shell).args;
    lines.push({
      source: 'app: Open terminal',
      shell,
      exec: (dump) =>
        run(shellPath(shell), [flag ?? '-c', script ?? ''], { ...env, SHELL: program }, dump),
    });
  }
  for (const shell of ['bash', 'zsh', 'dash', 'fish'] as const) {
    // The console does not know the shell: `env` picks the format from $SHELL.
    lines.push({ source: 'console', shell, exec: inShell(shell, exportCommand(role, 'default')) });
  }
  for (const shell of ['bash', 'zsh', 'dash', 'fish', 'pwsh', 'nu'] as const) {
    lines.push({
      source: 'app/CLI line for the shell',
      shell,
      exec: inShell(shell, exportCommand(role, 'default', shell === 'dash' ? 'bash' : shell)),
    });
  }
  for (const shell of ['bash', 'zsh', 'dash', 'fish', 'pwsh', 'nu'] as const) {
    const requested = formatRequested(
      grant,
      grant.createdAt,
      hintShell({ SHELL: shellPath(shell) }),
    );
    const hint = /Use it with: (.*)\n/.exec(requested)?.[1];
    lines.push({ source: 'CLI hint after request', shell, exec: inShell(shell, hint ?? 'false') });
  }
  for (const { line, shells } of readmeLines()) {
    if (!line.includes(` ${role})`) && !line.includes(` ${role} `) && !line.endsWith(` ${role}`))
      continue;
    for (const shell of shells)
      lines.push({
        source: `README: ${line}`,
        shell,
        // The README's `node bin/hourglass.js` lines run from the checkout.
        exec: (dump) =>
          run(shellPath(shell), ['-c', `cd '${ROOT}' && ${line}\n${dump}`], {
            ...env,
            SHELL: shellPath(shell),
          }),
      });
  }
  return lines;
}

const HOSTILE = `it's "q" $HOME \`touch CANARY\` $(touch CANARY) \\ back; rm -rf ~ 'end\nline2 %PATH% !x! ^ $(echo two)`;

describe('every line the app, the console, the CLI and the README offer loads every variable unchanged in the real shell', () => {
  const installed = (Object.keys(SHELLS) as ShellName[]).filter((s) => SHELLS[s]);
  const missing = (Object.keys(SHELLS) as ShellName[]).filter((s) => !SHELLS[s]);

  it(`shell injection and line joining: values with spaces, quotes, $, backticks and newlines survive (${installed.join(', ')}${missing.length ? `; skipped, not installed: ${missing.join(', ')}` : ''})`, async () => {
    const hostile = HOSTILE.replaceAll('CANARY', canary());
    await plantCredential(dataDir, await grantIdOf('prod-api-readonly'), (c) => ({
      ...c,
      token: hostile,
    }));
    let checked = 0;
    for (const role of ['prod-api-readonly', 'prod-orders-readonly']) {
      const expected = await expectedVars(role);
      if (role === 'prod-api-readonly') expect(expected.HOURGLASS_TOKEN).toBe(hostile);
      for (const offered of offeredLines(role, await activeGrant(role))) {
        if (!SHELLS[offered.shell]) continue;
        const file = join(root, `env-${checked}.json`);
        const done = await offered.exec(dumpEnv(offered.shell, file));
        const what = `${offered.source} in ${offered.shell} (${role})`;
        expect(existsSync(file), `${what}: ${done.stderr}`).toBe(true);
        const got = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
        for (const [name, value] of Object.entries(expected))
          expect(got[name], `${what}: ${name}`).toBe(value);
        expect(existsSync(canary()), what).toBe(false);
        checked += 1;
      }
    }
    // Every source took part: the app (copy, terminal), the console, the CLI hint, the README.
    expect(checked).toBeGreaterThanOrEqual(2 * 15);
  }, 240_000);
});

describe('the fast path answers the copied lines’ word order too', () => {
  it('env --shell <format> <role> is answered with one agent call, as env <role> --shell <format>', async () => {
    let printed = '';
    const out = (t: string) => (printed += t);
    const fastEnv = { ...env, HOURGLASS_FAST_PATH: '1' };
    expect(await fastPath(['env', '--shell', 'json', 'prod-orders-readonly'], fastEnv, out)).toBe(
      0,
    );
    expect(JSON.parse(printed)).toEqual(await expectedVars('prod-orders-readonly'));
    expect(await fastPath(['env', '--shell', 'tcsh', 'prod-orders-readonly'], fastEnv, out)).toBe(
      null,
    );
  });
});

describe('AWS (real clients against the STS stand-in)', () => {
  it.skipIf(!AWS)(
    `${AWS ? '' : '(skipped: no aws CLI; apt-get install awscli) '}aws CLI: credential_process in ~/.aws/config, configure export-credentials and a signed sts get-caller-identity`,
    async () => {
      const config = join(root, 'aws-config');
      writeFileSync(
        config,
        `[profile hourglass-demo]\ncredential_process = hourglass credential-process prod-orders-aws\nregion = ${AWS_REGION}\n`,
      );
      const awsEnv = {
        ...env,
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
      };
      const vars = await expectedVars('prod-orders-aws');
      const exported = await run(
        AWS ?? 'aws',
        ['--profile', 'hourglass-demo', 'configure', 'export-credentials'],
        awsEnv,
      );
      expect(exported.code, exported.stderr).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({
        Version: 1,
        AccessKeyId: vars.AWS_ACCESS_KEY_ID,
        SecretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
        SessionToken: vars.AWS_SESSION_TOKEN,
      });
      const who = await run(
        AWS ?? 'aws',
        [
          '--profile',
          'hourglass-demo',
          'sts',
          'get-caller-identity',
          '--endpoint-url',
          sts.url,
          '--output',
          'json',
        ],
        awsEnv,
      );
      expect(who.code, who.stderr).toBe(0);
      expect(JSON.parse(who.stdout)).toMatchObject({
        Account: '000000000000',
        Arn: expect.stringContaining('assumed-role/orders-readonly/alice') as unknown,
      });
    },
    60_000,
  );

  it.skipIf(!BOTO3)(
    `${BOTO3 ? '' : '(skipped: no python3-boto3; apt-get install python3-boto3) '}the region reaches botocore: env exports AWS_DEFAULT_REGION too (Debian's boto3 makes a signed call with no other region set)`,
    async () => {
      const script = `import boto3; print(boto3.client("sts", endpoint_url="${sts.url}").get_caller_identity()["Arn"])`;
      const answer = await run(
        shellPath('bash'),
        [
          '-c',
          `eval "$(hourglass env --shell bash prod-orders-aws)" && '${PYTHON ?? 'python3'}' -c '${script}'`,
        ],
        { ...env, AWS_CONFIG_FILE: join(root, 'none'), AWS_EC2_METADATA_DISABLED: 'true' },
      );
      expect(answer.stderr).not.toContain('NoRegionError');
      expect(answer.code, answer.stderr).toBe(0);
      expect(answer.stdout).toContain('assumed-role/orders-readonly/alice');
    },
    60_000,
  );
});

describe('docker: --shell env-file is what the docker CLI reads', () => {
  it.skipIf(!DOCKER)(
    `${DOCKER ? '' : '(skipped: no docker CLI) '}docker create --env-file passes every value unchanged (quotes, $, backticks, spaces); a value with a line break is refused, with no partial file`,
    async () => {
      const engine = await startEngineRecorder();
      const dockerEnv = { ...env, DOCKER_HOST: engine.host, DOCKER_CONFIG: join(root, 'docker') };
      try {
        const grantId = await grantIdOf('prod-api-readonly');
        const oneLine = `it's "q" $HOME \`id\` $(id) \\ back  two spaces # not a comment`;
        await plantCredential(dataDir, grantId, (c) => ({ ...c, token: oneLine }));
        for (const role of ['prod-orders-readonly', 'prod-orders-aws', 'prod-api-readonly']) {
          const expected = await expectedVars(role);
          const file = join(root, `${role}.env`);
          const written = await cli('env', role, '--shell', 'env-file');
          expect(written.code, written.stderr).toBe(0);
          writeFileSync(file, written.stdout);
          await run(DOCKER ?? 'docker', ['create', '--env-file', file, 'alpine'], dockerEnv);
          const sent = engine.creates.at(-1)?.Env ?? [];
          expect(sent).toEqual(Object.entries(expected).map(([k, v]) => `${k}=${v}`));
          engine.creates.length = 0;
        }
        await plantCredential(dataDir, grantId, (c) => ({ ...c, token: 'first\nINJECTED=1' }));
        const refused = await cli('env', 'prod-api-readonly', '--shell', 'env-file');
        expect(refused.code).toBe(2);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain('HOURGLASS_TOKEN holds a line break');
        expect(refused.stderr).not.toContain('INJECTED');
      } finally {
        await engine.close();
      }
    },
    60_000,
  );
});
