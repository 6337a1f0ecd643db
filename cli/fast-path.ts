/**
 * The credential helpers' fast path: `env`, `credential-process` and `kube-credential` are run
 * before every kubectl / aws command, so with an agent already running they answer with one local
 * API call and no other module loaded. Anything else (no agent, an error, a terminal on stdout, a
 * profile, an unusual argument) answers null and the full CLI runs, with its messages.
 */
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { credentialProcessAnswer, execCredential } from './helper-format.ts';

const ROLE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SHELLS = new Set(['bash', 'zsh', 'fish', 'pwsh', 'nu', 'cmd', 'dotenv', 'json']);

function socketPath(env: NodeJS.ProcessEnv): string | null {
  if (env.HOURGLASS_PROFILE && env.HOURGLASS_PROFILE !== 'default') return null;
  const base =
    env.HOURGLASS_HOME ||
    join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'hourglass');
  return join(base, 'agent.sock');
}

function callAgent(socket: string, method: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath: socket,
        path: `/v1/${method}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve(null));
        res.on('end', () => {
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              ok?: boolean;
              value?: unknown;
            };
            resolve(answer.ok === true ? answer.value : null);
          } catch {
            resolve(null);
          }
        });
      },
    );
    req.on('error', () => resolve(null));
    req.end(JSON.stringify(input));
  });
}

function shellOf(command: string, rest: string[], env: NodeJS.ProcessEnv): string | null {
  if (command !== 'env') return rest.length === 0 ? 'json' : null;
  if (rest.length === 0) {
    const name = (env.SHELL ?? '').split('/').pop() ?? '';
    return SHELLS.has(name) && name !== 'json' && name !== 'dotenv' && name !== 'cmd'
      ? name
      : 'bash';
  }
  return rest.length === 2 && rest[0] === '--shell' && SHELLS.has(rest[1] ?? '')
    ? (rest[1] ?? null)
    : null;
}

/** Runs a helper command through the running agent; null when the full CLI must run instead. */
export async function fastPath(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
): Promise<number | null> {
  const [command, role, ...rest] = argv;
  if (!command || !role || !ROLE.test(role)) return null;
  if (!['env', 'credential-process', 'kube-credential'].includes(command)) return null;
  const shell = shellOf(command, rest, env);
  const socket = socketPath(env);
  // A terminal on stdout gets the full CLI's warning that it prints secrets.
  if (shell === null || socket === null || (command === 'env' && process.stdout.isTTY)) return null;
  // Only a credential this device already holds: a first fetch goes through the full CLI, which
  // says it fetched the grant onto this device.
  const snapshot = (await callAgent(socket, 'getSnapshot', {})) as {
    grants?: Array<{ role?: unknown; credentialStored?: unknown }>;
  } | null;
  if (!snapshot?.grants?.some((g) => g.role === role && g.credentialStored === true)) return null;
  const exported = (await callAgent(socket, 'exportGrant', { role, shell })) as {
    script?: unknown;
    expiresAt?: unknown;
  } | null;
  if (typeof exported?.script !== 'string' || typeof exported.expiresAt !== 'string') return null;
  if (command === 'env') {
    out(exported.script);
    return 0;
  }
  const vars = JSON.parse(exported.script) as Record<string, string>;
  if (command === 'kube-credential') {
    if (!vars.HOURGLASS_TOKEN) return null;
    out(execCredential(vars.HOURGLASS_TOKEN, exported.expiresAt));
    return 0;
  }
  const answer = credentialProcessAnswer(vars, Date.now());
  if (!answer.ok) return null;
  out(answer.text);
  return 0;
}
