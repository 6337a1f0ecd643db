/** Finds the local agent, starting a headless one on demand (detached `hourglass agent`). */
import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentHandlers, Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { loadAgentConfig, resolveDataDir, socketPathFor } from '../agent/config.ts';
import { ensurePrivateDir } from '../agent/grant-store.ts';
import { createLocalApiClient, isAgentRunning } from '../agent/local-api.client.ts';

// This module runs from cli/ (tsx) or from the bundle in dist/cli/: find bin/ from either.
const BIN =
  ['../bin/hourglass.js', '../../bin/hourglass.js']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((path) => existsSync(path)) ?? 'hourglass';

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

/** A client for the running agent of `env`'s data directory, starting one if none answers. */
export async function connectAgent(
  env: NodeJS.ProcessEnv,
  waitMs = 20_000,
): Promise<Result<AgentHandlers>> {
  const dataDir = resolveDataDir(env);
  const socketPath = socketPathFor(dataDir);
  if (await isAgentRunning(socketPath)) return ok(createLocalApiClient(socketPath));
  const config = loadAgentConfig(env);
  if (!config.ok)
    return fail(
      config.error.code,
      `No agent is running and one cannot start: ${config.error.message}`,
    );
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
