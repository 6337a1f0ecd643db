/** The agent's handlers: one function per `agentContract` method, each answering a Result. */
import type { AgentHandlers } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { createApprovalHandlers } from './approval-actions.ts';
import type { GrantDeps } from './grant-deps.ts';
import { createExportHandler } from './grant-export.ts';
import { createLifecycleHandlers } from './grant-lifecycle-actions.ts';
import { createRequestHandler } from './grant-request.ts';
import type { SessionActionDeps } from './session-actions.ts';
import { createSessionActions } from './session-actions.ts';

/** Everything the handlers are built from; the host wires the real ones. */
export type AgentServiceDeps = SessionActionDeps & {
  /** Mints a fresh console URL; `null` while no console server runs with this agent. */
  consoleUrl?: () => string | null;
};

/** Why `hourglass console` has nothing to open. */
export const noConsoleMessage =
  'no console runs with this agent; the console is served by the demo (`npm start`) or the desktop app';

/** Creates the agent handlers. */
export function createAgentService(deps: AgentServiceDeps): AgentHandlers {
  const grants: GrantDeps = deps.grants;
  return {
    ...createSessionActions(deps),
    requestGrant: createRequestHandler(grants),
    exportGrant: createExportHandler(grants),
    ...createLifecycleHandlers(grants),
    ...createApprovalHandlers(grants),
    newConsoleUrl: () => {
      const url = deps.consoleUrl?.() ?? null;
      return Promise.resolve(url === null ? fail('invalid_state', noConsoleMessage) : ok({ url }));
    },
  };
}
