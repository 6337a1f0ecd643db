/**
 * The window's sign-out, as the tray's: once the agent has signed out, main opens the IdP's
 * end-session page in the system browser (RP-initiated logout), so the next sign-in asks who you
 * are. The renderer never opens it itself: in the app it cannot open a browser, and a page the
 * window names is not trusted — `openIdpPage` checks the URL is on the IdP's own origin.
 */
import type { AgentHandlers } from '../protocol/index.ts';

/** `handlers` whose `logout` opens the answer's end-session page through `openIdpPage`. */
export function withIdpSignOut(
  handlers: AgentHandlers,
  openIdpPage: (url: string) => void,
): AgentHandlers {
  return {
    ...handlers,
    async logout(input) {
      const answer = await handlers.logout(input);
      if (answer.ok && answer.value.endSessionUrl) openIdpPage(answer.value.endSessionUrl);
      return answer;
    },
  };
}
