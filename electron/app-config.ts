/**
 * Where the app's agent configuration comes from: the environment and config file, or — only with
 * `--demo` — the embedded demo IdP + broker, loaded by a dynamic import so a normal start never
 * loads the demo (or oidc-provider) at all.
 */
import { loadAgentConfig, type AgentConfig } from '../agent/config.ts';
import type { Result } from '../protocol/index.ts';
import { fail } from '../protocol/result.ts';

/** A resolved configuration and what to stop at quit. */
export interface ResolvedConfig {
  config: Result<AgentConfig>;
  stop: () => Promise<void>;
}

/** The part of `demo/demo-setup.ts` the app uses, checked at run time. */
interface DemoModule {
  startDemo(
    env: NodeJS.ProcessEnv,
  ): Promise<{ agentConfig: AgentConfig; stack: { close(): Promise<void> } }>;
}

function isDemoModule(value: unknown): value is DemoModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'startDemo' in value &&
    typeof value.startDemo === 'function'
  );
}

/** The demo module: the bundle's sibling `demo.mjs`, or the source when run from TypeScript. */
export function demoModuleUrl(here: string): string {
  return here.endsWith('.ts')
    ? new URL('../demo/demo-setup.ts', here).href
    : new URL('./demo.mjs', here).href;
}

/** Is the embedded demo asked for (`--demo`, what `npm start` passes)? */
export function wantsDemo(argv: readonly string[]): boolean {
  return argv.includes('--demo');
}

/** Resolves the configuration for this start. */
export async function resolveConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ResolvedConfig> {
  if (!wantsDemo(argv)) return { config: loadAgentConfig(env), stop: () => Promise.resolve() };
  const loaded: unknown = await import(demoModuleUrl(import.meta.url));
  if (!isDemoModule(loaded)) {
    return {
      config: fail('internal', 'The demo module is missing from this build; start without --demo'),
      stop: () => Promise.resolve(),
    };
  }
  const demo = await loaded.startDemo(env);
  return { config: { ok: true, value: demo.agentConfig }, stop: () => demo.stack.close() };
}
