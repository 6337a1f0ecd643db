/** The agent configuration that points at a running demo stack (tests, e2e, launchers). */
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config.ts';
import type { DemoStack } from './stack.ts';

/** An AgentConfig for `stack` with its data in `dataDir`; `overrides` wins. */
export function agentConfigForStack(
  stack: DemoStack,
  dataDir: string,
  overrides: Partial<AgentConfig> = {},
): AgentConfig {
  return {
    issuer: stack.issuer,
    clientId: stack.clientId,
    brokerUrl: stack.brokerUrl,
    brokerAudience: stack.brokerAudience,
    dataDir,
    socketPath: join(dataDir, 'agent.sock'),
    demo: true,
    allowInsecureHttp: true,
    warnBeforeSeconds: [],
    minExportSeconds: 30,
    ...overrides,
  };
}
