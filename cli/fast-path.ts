/**
 * The fast path for what runs most often: `env`, `credential-process` and `kube-credential` (run
 * before every kubectl / aws command) and `status`. With an agent already running and live, they
 * answer with one local API call and no other module loaded (no zod, no commander).
 * Anything else (no agent, offline, an error, a terminal on stdout, a profile, an unusual
 * argument) answers null and the full CLI runs, with its messages.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentSnapshot } from '../protocol/index.ts';
import { displaySafe } from '../protocol/plain-text.ts';
import { callAgent } from './fast-path-call.ts';
import { formatStatus } from './format.ts';
import { credentialProcessAnswer, execCredential, fastKubeExecVersion } from './helper-format.ts';

/** Commands the fast path may answer (bin/hourglass.js loads it only for these). */
export const FAST_COMMANDS = ['env', 'credential-process', 'kube-credential', 'status'];
const ROLE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SHELLS = new Set(['bash', 'zsh', 'fish', 'pwsh', 'nu', 'cmd', 'dotenv', 'env-file', 'json']);
/** Formats that are files or data, never a login shell's name. */
const NOT_LOGIN_SHELLS = new Set(['json', 'dotenv', 'env-file', 'cmd']);

function socketPath(env: NodeJS.ProcessEnv): string | null {
  if (env.HOURGLASS_PROFILE && env.HOURGLASS_PROFILE !== 'default') return null;
  const base =
    env.HOURGLASS_HOME ||
    join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'hourglass');
  return join(base, 'agent.sock');
}

function shellOf(command: string, rest: string[], env: NodeJS.ProcessEnv): string | null {
  if (command !== 'env') return rest.length === 0 ? 'json' : null;
  if (rest.length === 0) {
    const name = (env.SHELL ?? '').split('/').pop() ?? '';
    return SHELLS.has(name) && !NOT_LOGIN_SHELLS.has(name) ? name : 'bash';
  }
  return rest.length === 2 && rest[0] === '--shell' && SHELLS.has(rest[1] ?? '')
    ? (rest[1] ?? null)
    : null;
}

/**
 * Whether a snapshot is one `status` may print as is: signed in and live (the event stream keeps
 * it fresh, so the full CLI's resync would change nothing). The agent parsed it with its contract
 * on the way out (agent/local-api.server.ts); this checks only what decides, and a surprise while
 * formatting defers to the full CLI, which parses with zod.
 */
function isLiveSnapshot(value: unknown): value is AgentSnapshot {
  const s = value as Partial<AgentSnapshot> | null;
  return (
    typeof s?.now === 'string' &&
    s.connection?.state === 'online' &&
    s.status?.loggedIn === true &&
    Array.isArray(s.grants) &&
    Array.isArray(s.approvals)
  );
}

async function status(socket: string, out: (text: string) => void): Promise<number | null> {
  const snapshot = await callAgent(socket, 'getSnapshot', {});
  if (!isLiveSnapshot(snapshot)) return null;
  let text: string;
  try {
    // What the broker sent, shown safe for the terminal (issue 18, finding 4).
    text = formatStatus(displaySafe(snapshot));
  } catch {
    return null;
  }
  out(text);
  return 0;
}

async function exported(socket: string, role: string, shell: string) {
  // Only a credential this device already holds (one call): a first fetch goes through the full
  // CLI, which says it fetched the grant onto this device.
  const answer = (await callAgent(socket, 'exportGrant', { role, shell, heldOnly: true })) as {
    script?: unknown;
    expiresAt?: unknown;
  } | null;
  return typeof answer?.script === 'string' && typeof answer.expiresAt === 'string'
    ? { script: answer.script, expiresAt: answer.expiresAt }
    : null;
}

async function helper(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
): Promise<number | null> {
  // `env --shell fish <role>` (as the copied lines have it) is `env <role> --shell fish`.
  const [command, ...words] = argv;
  const [role, ...rest] =
    words.length === 3 && words[0] === '--shell'
      ? [words[2] ?? '', '--shell', words[1] ?? '']
      : words;
  if (!command || !role || !ROLE.test(role)) return null;
  const shell = shellOf(command, rest, env);
  const socket = socketPath(env);
  // A terminal on stdout gets the full CLI's warning that it prints secrets.
  if (shell === null || socket === null || (command === 'env' && process.stdout.isTTY)) return null;
  const answer = await exported(socket, role, shell);
  if (!answer) return null;
  if (command === 'env') {
    out(answer.script);
    return 0;
  }
  let vars: Record<string, string>;
  try {
    vars = JSON.parse(answer.script) as Record<string, string>;
  } catch {
    return null;
  }
  if (command === 'kube-credential') {
    const version = fastKubeExecVersion(env.KUBERNETES_EXEC_INFO);
    if (!vars.HOURGLASS_TOKEN || version === null) return null;
    out(execCredential(vars.HOURGLASS_TOKEN, answer.expiresAt, version));
    return 0;
  }
  const cp = credentialProcessAnswer(vars, Date.now());
  if (!cp.ok) return null;
  out(cp.text);
  return 0;
}

/** Runs a fast command through the running agent; null when the full CLI must run instead. */
export async function fastPath(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
): Promise<number | null> {
  const command = argv[0] ?? '';
  if (!FAST_COMMANDS.includes(command)) return null;
  if (command !== 'status') return helper(argv, env, out);
  const socket = socketPath(env);
  return argv.length === 1 && socket !== null ? status(socket, out) : null;
}
