/**
 * Finds the local agent, starting a headless one on demand (detached `hourglass agent`). An agent
 * left from an earlier run with other settings (a stopped demo's ports, a profile set up anew) is
 * replaced; the demo's settings with the demo down start nothing and say how to start it.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentHandlers, Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import type { AgentConfig } from '../agent/config.ts';
import {
  agentEnvironment,
  loadAgentConfig,
  resolveDataDir,
  socketPathFor,
} from '../agent/config.ts';
import { ensurePrivateDir } from '../agent/grant-store.ts';
import { stopHeadlessAgent } from '../agent/instance-lock-holder.ts';
import { createLocalApiClient, isAgentRunning } from '../agent/local-api.client.ts';

// This module runs from cli/ (tsx) or from the bundle in dist/cli/: find bin/ from either.
const BIN =
  ['../bin/hourglass.js', '../../bin/hourglass.js']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((path) => existsSync(path)) ?? 'hourglass';

/** What the demo says when its broker does not answer. */
export const DEMO_DOWN_MESSAGE = 'the demo is not running: start it with `npm start`';

function startHeadlessAgent(dataDir: string, env: NodeJS.ProcessEnv): { exited: () => boolean } {
  ensurePrivateDir(dataDir);
  // The agent never logs a secret; its output goes to a 0600 log for diagnosis.
  const log = openSync(join(dataDir, 'agent.log'), 'a', 0o600);
  const child = spawn(process.execPath, [BIN, 'agent'], {
    detached: true,
    stdio: ['ignore', log, log],
    env,
    cwd: dataDir,
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  child.unref();
  return { exited: () => exited };
}

/** Whether the broker at `brokerUrl` answers its health check within `timeoutMs`. */
export async function brokerAnswers(brokerUrl: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const answer = await fetch(`${brokerUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await answer.body?.cancel();
    return answer.ok;
  } catch {
    return false;
  }
}

/** Whether the running agent at `socketPath` serves other settings than `config` (a stale one). */
async function servesOtherSettings(socketPath: string, config: AgentConfig): Promise<boolean> {
  const snapshot = await createLocalApiClient(socketPath).getSnapshot({});
  if (!snapshot.ok) return false;
  const { brokerUrl, issuer } = snapshot.value.status;
  return brokerUrl !== config.brokerUrl || issuer !== config.issuer;
}

/** Where CLI notices (a replaced agent) go: stderr, never stdout. */
export type Notice = (text: string) => void;

async function replaceIfStale(
  socketPath: string,
  dataDir: string,
  config: Result<AgentConfig>,
  notice: Notice,
): Promise<Result<'kept' | 'stopped'>> {
  if (!config.ok || !(await servesOtherSettings(socketPath, config.value))) return ok('kept');
  const stopped = await stopHeadlessAgent(dataDir);
  if (!stopped.ok)
    return fail('conflict', `An agent with other settings is running: ${stopped.error.message}`);
  notice(`hourglass: replaced an agent left from an earlier run (pid ${stopped.value ?? '?'})\n`);
  return ok('stopped');
}

/** A client for the running agent of `env`'s data directory, starting one if none answers. */
export async function connectAgent(
  env: NodeJS.ProcessEnv,
  notice: Notice = () => {},
  waitMs = 20_000,
): Promise<Result<AgentHandlers>> {
  const dataDir = resolveDataDir(env);
  const socketPath = socketPathFor(dataDir);
  const config = loadAgentConfig(env);
  // The demo's settings with its broker gone: an agent could do nothing but fail (its IdP, broker
  // and private keyring went with it). Start none, end a headless one left behind, say what to do.
  if (config.ok && config.value.demo && !(await brokerAnswers(config.value.brokerUrl))) {
    await stopHeadlessAgent(dataDir);
    return fail('unavailable', DEMO_DOWN_MESSAGE);
  }
  if (await isAgentRunning(socketPath)) {
    const replaced = await replaceIfStale(socketPath, dataDir, config, notice);
    if (!replaced.ok) return replaced;
    if (replaced.value === 'kept') return ok(createLocalApiClient(socketPath));
  }
  if (!config.ok)
    return fail(
      config.error.code,
      `No agent is running and one cannot start: ${config.error.message}`,
    );
  return spawnAndWait(dataDir, socketPath, agentEnvironment(env, config.value), waitMs);
}

async function spawnAndWait(
  dataDir: string,
  socketPath: string,
  env: NodeJS.ProcessEnv,
  waitMs: number,
): Promise<Result<AgentHandlers>> {
  const child = startHeadlessAgent(dataDir, env);
  const until = Date.now() + waitMs;
  // Our agent may lose a start race and exit: then wait for the winner that holds the lock.
  const starting = () => !child.exited() || existsSync(`${socketPath}.lock`);
  while (Date.now() < until && starting()) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (await isAgentRunning(socketPath)) return ok(createLocalApiClient(socketPath));
  }
  return fail('unavailable', `The headless agent did not start; see ${join(dataDir, 'agent.log')}`);
}
