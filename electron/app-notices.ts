/** Shows the planner's notices as system notifications, with their buttons (Extend, Approve…). */
import { Notification } from 'electron';
import type { AgentNotice, AgentSnapshot } from '../protocol/agent-api.ts';
import { noticeButtons } from './notice-actions.ts';
import { noticeView } from './notice-view.ts';
import type { TrayAction } from './tray-action.ts';

/** Shows notices; keeps each alive until closed (a collected Notification loses its handlers). */
export function createNoticePresenter(
  latest: () => AgentSnapshot | null,
  onAction: (action: TrayAction) => void,
): (notice: AgentNotice) => void {
  const shown = new Set<Notification>();
  return (notice) => {
    if (!Notification.isSupported()) return;
    const buttons = noticeButtons(notice, latest());
    const note = new Notification({
      ...noticeView(notice),
      // Buttons show on macOS; elsewhere a click opens the window on the grant instead.
      actions: buttons.map((b) => ({ type: 'button', text: b.text })),
    });
    note.on('action', (_event, index) => {
      const button = buttons[index];
      if (button) onAction(button.action);
    });
    note.on('click', () => onAction({ type: 'open-grant', grantId: notice.grantId }));
    note.on('close', () => shown.delete(note));
    shown.add(note);
    note.show();
  };
}
