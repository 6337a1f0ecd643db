/** Prepares the embedded demo: IdP + broker in-process and an agent config pointing at them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config.ts';
import { loadAgentConfig, resolveDataDir } from '../agent/config.ts';
import type { DemoStack } from './stack.ts';
import { startDemoStack } from './stack.ts';

/** A running demo: the stack and the agent configuration that uses it. */
export interface DemoSetup {
  stack: DemoStack;
  agentConfig: AgentConfig;
  /** Set when the demo could not use the default data dir: export this for the CLI. */
  homeOverride: string | null;
}

function isDemoDir(dataDir: string): boolean {
  const path = join(dataDir, 'config.json');
  if (!existsSync(path)) return true;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { demo?: unknown }).demo === true;
  } catch {
    return false;
  }
}

/**
 * Picks the agent data dir: the default one (so `hourglass` finds the demo agent with no
 * settings) unless it already holds a real, non-demo configuration, which the demo never touches.
 */
function demoDataDir(env: NodeJS.ProcessEnv): { dataDir: string; override: boolean } {
  const preferred = resolveDataDir(env);
  if (isDemoDir(preferred)) return { dataDir: preferred, override: false };
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return { dataDir: join(state, 'hourglass-demo'), override: true };
}

/** Starts the demo IdP + broker and writes the demo agent config next to the agent's data. */
export async function startDemo(env: NodeJS.ProcessEnv): Promise<DemoSetup> {
  const { dataDir, override } = demoDataDir(env);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stack = await startDemoStack({ dataDir: join(dataDir, 'demo-stack') });
  const config = {
    issuer: stack.issuer,
    brokerUrl: stack.brokerUrl,
    clientId: stack.clientId,
    brokerAudience: stack.brokerAudience,
    demo: true,
    allowInsecureHttp: true,
  };
  writeFileSync(join(dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
  const loaded = loadAgentConfig({ ...env, HOURGLASS_HOME: dataDir });
  if (!loaded.ok) {
    await stack.close();
    throw new Error(loaded.error.message);
  }
  return { stack, agentConfig: loaded.value, homeOverride: override ? dataDir : null };
}
