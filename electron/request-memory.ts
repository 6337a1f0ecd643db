/** Remembers what the user asked for per role, to pre-fill the next request. Pure wrapper. */
import type { AgentHandlers } from '../protocol/index.ts';
import type { LastRequest } from './tray-state.ts';

/** `handlers` whose `requestGrant` calls `remember` after each accepted request. */
export function withRequestMemory(
  handlers: AgentHandlers,
  remember: (role: string, request: LastRequest) => void,
): AgentHandlers {
  return {
    ...handlers,
    async requestGrant(input) {
      const answer = await handlers.requestGrant(input);
      if (answer.ok) {
        remember(input.role, {
          durationSeconds: input.durationSeconds,
          reason: input.reason ?? '',
          ...(input.ticket !== undefined ? { ticket: input.ticket } : {}),
        });
      }
      return answer;
    },
  };
}
