/** Which buttons a notification offers and what each does. Pure. */
import type { AgentNotice, AgentSnapshot } from '../protocol/agent-api.ts';
import { formatDuration } from '../protocol/duration.ts';
import { assertNever } from '../protocol/errors.ts';
import { extensionCap } from '../renderer/extend-presets.logic.ts';
import type { TrayAction } from './tray-action.ts';

/** One notification button and the action it triggers. */
export interface NoticeButton {
  text: string;
  action: TrayAction;
}

/**
 * How much one click on a notification's Extend adds: the grant's own length, capped by what its
 * extension budget still allows; null when nothing is left (the button is not offered).
 */
export function quickExtendSeconds(snapshot: AgentSnapshot | null, grantId: string): number | null {
  const grant = snapshot?.grants.find((g) => g.id === grantId);
  if (!grant || grant.status !== 'active') return null;
  const seconds = Math.min(grant.grantedSeconds, extensionCap(grant.extension));
  return seconds > 0 ? seconds : null;
}

/** The buttons for a notice, from the planner's `actions` and the latest snapshot. */
export function noticeButtons(notice: AgentNotice, snapshot: AgentSnapshot | null): NoticeButton[] {
  const grantId = notice.grantId;
  return notice.actions.flatMap((kind): NoticeButton[] => {
    switch (kind) {
      case 'extend': {
        const seconds = quickExtendSeconds(snapshot, grantId);
        return seconds === null
          ? []
          : [
              {
                text: `Extend +${formatDuration(seconds)}`,
                action: { type: 'extend', grantId, seconds },
              },
            ];
      }
      case 'approve':
        return [{ text: 'Approve', action: { type: 'approve', grantId } }];
      case 'deny':
        return [{ text: 'Deny', action: { type: 'deny', grantId } }];
      default:
        return assertNever(kind);
    }
  });
}
