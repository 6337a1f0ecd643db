/** How an agent notice becomes a system notification, and where its click leads. Pure. */
import type { AgentNotice } from '../protocol/agent-api.ts';
import { displayText } from '../protocol/plain-text.ts';
import { localizeInstants } from '../renderer/local-time.logic.ts';

/** Options for Electron's `Notification` (a subset, so this stays testable without Electron). */
export interface NoticeView {
  title: string;
  body: string;
  /** Expiry warnings must not fade away unseen. */
  urgency: 'normal' | 'critical';
}

/** The notification text for a notice; instants in it shown in the user's locale and zone. */
export function noticeView(notice: AgentNotice, nowMs: number = Date.now()): NoticeView {
  const critical = notice.kind === 'expiring' || notice.kind === 'approval_needed';
  return {
    // Notice text carries broker and IdP text (names, comments): shown inert (issue 18, finding 4).
    title: displayText(localizeInstants(notice.title, nowMs)),
    body: displayText(localizeInstants(notice.body, nowMs)),
    urgency: critical ? 'critical' : 'normal',
  };
}

/** The renderer URL that opens the window on the notice's grant (`#grant=<id>`). */
export function grantUrl(appOrigin: string, grantId: string): string {
  return `${appOrigin}/index.html#grant=${encodeURIComponent(grantId)}`;
}
