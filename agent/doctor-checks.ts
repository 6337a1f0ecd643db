/**
 * `hourglass doctor`: one check per part the agent depends on, each with what it found and, when
 * something is wrong, the fix. Checks never start an agent and never write outside the keychain.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AgentHost } from '../protocol/index.ts';
import type { AgentConfig } from './config.ts';
import { agentHolder } from './instance-lock-holder.ts';
import { createLocalApiClient, isAgentRunning } from './local-api.client.ts';

/** One check's outcome: `fail` makes doctor exit non-zero, `warn` does not. */
export interface DoctorCheck {
  name: 'config' | 'keychain' | 'agent' | 'identity provider' | 'broker' | 'clock' | 'shell';
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const TIMEOUT_MS = 3000;
/** Above this, the clock offset to the broker is worth fixing (tokens are checked against it). */
const OFFSET_WARN_MS = 30_000;

const HOST_WORDS: Record<AgentHost, string> = {
  app: 'in the desktop app',
  headless: 'headless, `hourglass agent`',
  demo: 'in the demo, `npm start`',
};

/**
 * In which process the agent runs: what it says of itself. An agent too old to say is named from
 * its lock (only a headless agent writes agent.pid), as "another process", never guessed as an app.
 */
function hostWords(config: AgentConfig, host: AgentHost | undefined): string {
  const holder = agentHolder(config.dataDir);
  const pid = holder ? `pid ${holder.pid}, ` : '';
  if (host) return ` (${pid}${HOST_WORDS[host]})`;
  if (!holder) return '';
  return ` (${pid}${holder.headless ? HOST_WORDS.headless : 'in another process'})`;
}

/** The agent: running or not, whose, which profile, in which process. */
export async function checkAgent(config: AgentConfig): Promise<DoctorCheck> {
  if (!(await isAgentRunning(config.socketPath)))
    return {
      name: 'agent',
      status: 'warn',
      detail: 'not running (the CLI starts one on demand)',
      fix: 'run `hourglass agent` to keep one in the foreground, or any command to start one',
    };
  const snapshot = await createLocalApiClient(config.socketPath).getSnapshot({});
  if (!snapshot.ok)
    return {
      name: 'agent',
      status: 'fail',
      detail: `running${hostWords(config, undefined)} but not answering`,
      fix: snapshot.error.message,
    };
  const { status } = snapshot.value;
  const where = hostWords(config, status.host);
  const who = status.loggedIn ? `signed in as ${status.user?.subject ?? 'unknown'}` : 'signed out';
  return {
    name: 'agent',
    status: 'ok',
    detail: `running${where}, profile ${status.profile}, ${who}${status.demo ? ' [DEMO]' : ''}`,
  };
}

const discoverySchema = z.object({ issuer: z.string() });

/**
 * The keychain as the running agent finds it: that process holds the keychain (its session bus,
 * e.g. the demo's private one, and its item scope), so its answer is the one that counts. Null
 * when no agent answers (the caller probes from this process instead).
 */
export async function checkKeychainViaAgent(config: AgentConfig): Promise<DoctorCheck | null> {
  if (!(await isAgentRunning(config.socketPath))) return null;
  const answer = await createLocalApiClient(config.socketPath).checkKeychain({});
  if (answer.ok) return { name: 'keychain', ...answer.value };
  // An agent from before this check: probe from here, as before.
  if (answer.error.code === 'bad_request' || answer.error.code === 'not_found') return null;
  return {
    name: 'keychain',
    status: 'fail',
    detail: `the agent could not check it: ${answer.error.message}`,
    fix: 'restart the agent (`hourglass agent --stop`, then any command) and retry',
  };
}

/** The IdP: its discovery document answers and names the configured issuer. */
export async function checkIdp(config: AgentConfig): Promise<DoctorCheck> {
  const url = `${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const fix = `check your network and HOURGLASS_ISSUER / the profile's config (${config.issuer})`;
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const parsed = discoverySchema.safeParse(await answer.json());
    if (!answer.ok || !parsed.success)
      return {
        name: 'identity provider',
        status: 'fail',
        detail: `${url} answered HTTP ${answer.status} without a discovery document`,
        fix,
      };
    if (parsed.data.issuer !== config.issuer)
      return {
        name: 'identity provider',
        status: 'fail',
        detail: `announces issuer ${parsed.data.issuer}, not ${config.issuer}`,
        fix: 'set the issuer exactly as the IdP announces it',
      };
    return { name: 'identity provider', status: 'ok', detail: `${config.issuer} reachable` };
  } catch {
    return {
      name: 'identity provider',
      status: 'fail',
      detail: `${config.issuer} unreachable`,
      fix,
    };
  }
}

const healthSchema = z.object({ now: z.string(), status: z.string() });

/** The broker's health, and the clock offset to it (midpoint of the round trip). */
export async function checkBroker(config: AgentConfig): Promise<DoctorCheck[]> {
  const sentAt = Date.now();
  try {
    const answer = await fetch(`${config.brokerUrl}/healthz`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const parsed = healthSchema.safeParse(await answer.json());
    if (!parsed.success)
      return [
        {
          name: 'broker',
          status: 'fail',
          detail: `${config.brokerUrl} answered HTTP ${answer.status}, not a Hourglass broker health`,
          fix: 'check the broker URL (`hourglass setup <broker-url>`)',
        },
      ];
    const offset = Date.parse(parsed.data.now) - (sentAt + Date.now()) / 2;
    const seconds = (offset / 1000).toFixed(1);
    return [
      {
        name: 'broker',
        status: parsed.data.status === 'ok' ? 'ok' : 'warn',
        detail: `${config.brokerUrl} reachable (${parsed.data.status})`,
      },
      Math.abs(offset) > OFFSET_WARN_MS
        ? {
            name: 'clock',
            status: 'warn',
            detail: `${seconds} s off the broker's clock (deadlines are corrected; sign-ins may fail)`,
            fix:
              process.platform === 'linux'
                ? 'turn on time sync: `timedatectl set-ntp true`'
                : 'turn on automatic date and time',
          }
        : { name: 'clock', status: 'ok', detail: `${seconds} s off the broker's clock` },
    ];
  } catch {
    return [
      {
        name: 'broker',
        status: 'fail',
        detail: `${config.brokerUrl} unreachable`,
        fix: 'check your network or VPN; the broker may be down (grants you hold keep counting down)',
      },
    ];
  }
}

/** Shell startup files that might show the prompt segment. */
function shellFiles(home: string): string[] {
  return ['.bashrc', '.zshrc', '.config/fish/config.fish', '.config/starship.toml'].map((f) =>
    join(home, f),
  );
}

/** Whether a shell startup file reads the agent's status file (the prompt segment). */
export function checkShell(home: string): DoctorCheck {
  const found = shellFiles(home).filter((path) => {
    try {
      if (!existsSync(path)) return false;
      const text = readFileSync(path, 'utf8');
      return text.includes('hourglass/status') || text.includes('HOURGLASS_STATUS');
    } catch {
      return false;
    }
  });
  return found.length > 0
    ? { name: 'shell', status: 'ok', detail: `prompt segment in ${found.join(', ')}` }
    : {
        name: 'shell',
        status: 'warn',
        detail: 'no prompt segment installed',
        fix: 'add the snippet for your shell from the README section "Prompt segment"',
      };
}
