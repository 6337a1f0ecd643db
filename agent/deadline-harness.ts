/**
 * Test support for deadline tests against a real headless agent process: the demo IdP and a broker
 * with a policy of short no-approval roles, `hourglass agent` spawned with any extra environment
 * (libfaketime), a sign-in through the IdP pages, and the agent's wipe lines timestamped as they
 * arrive on its stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentHandlers } from '../protocol/index.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import { waitFor } from '../cli/profile-harness.ts';
import { wipeInstant } from './grant-secrets-layout.ts';
import { createLocalApiClient, isAgentRunning } from './local-api.client.ts';

const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;

/** libfaketime as Debian installs it (package `faketime`). */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Roles the harness policy offers engineers without approval. */
export const SHORT_ROLES = ['short-a', 'short-b', 'short-c', 'short-d'] as const;

function shortRolePolicy(dir: string, names: readonly string[]): string {
  const roles = names
    .map(
      (name) => `  - name: ${name}
    provider: { kind: jwt, audience: https://api.test.hourglass.internal }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    approval: { required: 0 }
    reason: { required: false }
`,
    )
    .join('');
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, `tenant: test\nroles:\n${roles}`);
  return path;
}

/** A spawned headless agent. */
export interface AgentProcess {
  pid: number;
  handlers: AgentHandlers;
  stderr(): string;
  /** Test-process wall time at which the agent reported wiping `grantId`, with the trigger. */
  wiped(grantId: string): { at: number; trigger: string } | undefined;
  stop(): Promise<void>;
}

/** The stack, a base dir and the env that points the CLI and agents at it. */
export interface DeadlineHarness {
  stack: DemoStack;
  env: NodeJS.ProcessEnv;
  /** The agents' data dir (socket, grant store, prompt status file). */
  dataDir: string;
  /** Spawns `hourglass agent` (`entry`: another launcher of the CLI, e.g. the bundle's). */
  spawnAgent(extraEnv?: NodeJS.ProcessEnv, entry?: string): Promise<AgentProcess>;
  close(): Promise<void>;
}

function spawnAgentProcess(
  env: NodeJS.ProcessEnv,
  home: string,
  entry: string,
): Promise<AgentProcess> {
  const child = spawn(process.execPath, [entry, 'agent'], { env, cwd: tmpdir() });
  let stderr = '';
  const wipes = new Map<string, { at: number; trigger: string }>();
  child.stderr.on('data', (chunk: Buffer) => {
    const at = Date.now();
    stderr += chunk.toString();
    for (const m of stderr.matchAll(/^wiped \S+ grant (\S+) \((\w+)\)$/gm))
      if (m[1] && m[2] && !wipes.has(m[1])) wipes.set(m[1], { at, trigger: m[2] });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const socketPath = join(home, 'agent.sock');
  return waitFor(
    'the agent to serve',
    async () => ((await isAgentRunning(socketPath)) ? true : undefined),
    20_000,
  )
    .then(() => ({
      pid: child.pid ?? 0,
      handlers: createLocalApiClient(socketPath),
      stderr: () => stderr,
      wiped: (grantId: string) => wipes.get(grantId),
      stop: async () => {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await exited;
      },
    }))
    .catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${String(error)}; agent stderr: ${stderr}`);
    });
}

/** Starts IdP + broker with the short-role policy (`roleCount`: roles `role-0`… instead). */
export async function startDeadlineHarness(roleCount?: number): Promise<DeadlineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-deadline-'));
  const names =
    roleCount === undefined
      ? SHORT_ROLES
      : Array.from({ length: roleCount }, (_, i) => `role-${i}`);
  const stack = await startDemoStack({
    dataDir: join(dir, 'stack'),
    policyPath: shortRolePolicy(dir, names),
    rateLimitPerMinute: 100_000,
  });
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOURGLASS_HOME: home,
    HOURGLASS_ISSUER: stack.issuer,
    HOURGLASS_BROKER_URL: stack.brokerUrl,
    HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    // Its own profile: its keychain items never meet another test's.
    HOURGLASS_PROFILE: `dl${process.pid}`,
  };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR'])
    if (process.env[name]) env[name] = process.env[name];
  const agents: AgentProcess[] = [];
  let stopped: Promise<void> | null = null;
  const stopStack = () => (stopped ??= stack.close());
  const dataDir = join(home, 'profiles', env.HOURGLASS_PROFILE ?? '');
  return {
    dataDir,
    stack: { ...stack, close: stopStack },
    env,
    async spawnAgent(extraEnv = {}, entry = BIN) {
      const agent = await spawnAgentProcess({ ...env, ...extraEnv }, dataDir, entry);
      agents.push(agent);
      return agent;
    },
    async close() {
      for (const agent of agents) await agent.stop();
      await stopStack();
    },
  };
}

/** Signs `user` (password demo) in on `agent` through the IdP pages and the loopback callback. */
export async function signIn(agent: AgentHandlers, user: string): Promise<void> {
  const begun = await agent.beginLogin({ openBrowser: false });
  if (!begun.ok) throw new Error(begun.error.message);
  const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
    login: user,
    password: 'demo',
  });
  await fetch(callbackUrl);
  const done = await agent.awaitLogin({ loginId: begun.value.loginId });
  if (!done.ok) throw new Error(done.error.message);
}

/** Requests `role` for `seconds`; answers the grant id and its deadline (epoch ms, broker clock). */
export async function requestShort(
  agent: AgentHandlers,
  role: string,
  seconds: number,
): Promise<{ id: string; deadline: number }> {
  const asked = await agent.requestGrant({
    role,
    durationSeconds: seconds,
    reason: 'deadline test',
  });
  if (!asked.ok) throw new Error(asked.error.message);
  const { grant } = asked.value;
  if (!grant.credentialStored || grant.expiresAt === null)
    throw new Error(`grant ${grant.id} is ${grant.status} without a stored credential`);
  // Its secret goes when the deadline's second begins (the deadline bucket is wiped whole): that
  // instant is the one a wipe must be neither before nor late after.
  return { id: grant.id, deadline: wipeInstant(grant.expiresAt) };
}
