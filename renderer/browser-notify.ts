/** The browser Notification API as a small port (the console shows agent notices with it). */
import type { AgentNotice } from '../protocol/agent-api.ts';
import { localizeInstants } from './local-time.logic.ts';

/** Permission as the UI needs it; `unsupported` where the API is missing. */
export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported';

/** What the store needs from system notifications. */
export interface NotifyPort {
  permission(): NotifyPermission;
  /** Asks for permission; call only inside a user's click. */
  request(): Promise<NotifyPermission>;
  /** Shows a notice; `onClick` runs when the user clicks it. */
  show(notice: AgentNotice, onClick: () => void): void;
}

const supported = () => typeof Notification !== 'undefined';

/** The page's Notification API. */
export function browserNotify(): NotifyPort {
  return {
    permission: () => (supported() ? Notification.permission : 'unsupported'),
    async request() {
      if (!supported()) return 'unsupported';
      return Notification.requestPermission();
    },
    show(notice, onClick) {
      if (!supported() || Notification.permission !== 'granted') return;
      // `tag` = notice id: the same occasion replaces, never stacks.
      const shown = new Notification(localizeInstants(notice.title, Date.now()), {
        body: localizeInstants(notice.body, Date.now()),
        tag: notice.id,
      });
      shown.onclick = () => {
        window.focus();
        onClick();
        shown.close();
      };
    },
  };
}

/** No system notifications (Electron shows its own from main; tests). */
export const noNotify: NotifyPort = {
  permission: () => 'unsupported',
  request: () => Promise.resolve('unsupported'),
  show: () => undefined,
};
