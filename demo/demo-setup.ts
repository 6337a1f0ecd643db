/** Prepares the embedded demo: IdP + broker in-process and an agent config pointing at them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config.ts';
import { loadAgentConfig, resolveDataDir } from '../agent/config.ts';
import type { DemoStack } from './stack.ts';
import { DEMO_POLICY_PATH, startDemoStack } from './stack.ts';
import { startDemoTargets, writeTargetsPolicy } from './targets/demo-targets.ts';

/** A running demo: the stack and the agent configuration that uses it. */
export interface DemoSetup {
  stack: DemoStack;
  agentConfig: AgentConfig;
  /** Set when the demo could not use the default data dir: export this for the CLI. */
  homeOverride: string | null;
  /** What the demo's targets run where (and what is unavailable, and why). */
  notes: string[];
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

/** The stack with real targets (demo/targets/): their roles join the demo policy. */
async function stackWithTargets(
  stackDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stack: DemoStack; notes: string[] }> {
  mkdirSync(stackDir, { recursive: true, mode: 0o700 });
  const targets = await startDemoTargets();
  const policyPath = join(stackDir, 'policy.yaml');
  writeTargetsPolicy(DEMO_POLICY_PATH, policyPath);
  let stack: DemoStack;
  try {
    stack = await startDemoStack({
      dataDir: stackDir,
      policyPath,
      targets: targets.targets,
      env: { ...env, ...targets.env },
    });
    await targets.afterBroker(stack.brokerUrl);
  } catch (error) {
    await targets.close();
    throw error;
  }
  const started = stack;
  return {
    stack: { ...stack, close: () => started.close().finally(() => targets.close()) },
    notes: targets.notes,
  };
}

/** Starts the demo IdP + broker and writes the demo agent config next to the agent's data. */
export async function startDemo(
  env: NodeJS.ProcessEnv,
  opts: { targets?: boolean } = {},
): Promise<DemoSetup> {
  const { dataDir, override } = demoDataDir(env);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { stack, notes } = opts.targets
    ? await stackWithTargets(join(dataDir, 'demo-stack'), env)
    : { stack: await startDemoStack({ dataDir: join(dataDir, 'demo-stack') }), notes: [] };
  const config = {
    issuer: stack.issuer,
    brokerUrl: stack.brokerUrl,
    clientId: stack.clientId,
    brokerAudience: stack.brokerAudience,
    demo: true,
    allowInsecureHttp: true,
    // Inside the demo's private keyring session (start.ts): every profile's agent uses it too.
    ...(env.HOURGLASS_DEMO_KEYRING === '1' && env.DBUS_SESSION_BUS_ADDRESS
      ? { demoKeyringBus: env.DBUS_SESSION_BUS_ADDRESS }
      : {}),
  };
  writeFileSync(join(dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
  const loaded = loadAgentConfig({ ...env, HOURGLASS_HOME: dataDir });
  if (!loaded.ok) {
    await stack.close();
    throw new Error(loaded.error.message);
  }
  return { stack, agentConfig: loaded.value, homeOverride: override ? dataDir : null, notes };
}
