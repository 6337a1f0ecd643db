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

/** Below this a one-click extension would hardly move the deadline: it is not offered. */
const MIN_QUICK_EXTEND_SECONDS = 60;

/**
 * One click on a notification's Extend: it adds the grant's own length to the deadline, capped
 * by its extension budget. An extension counts from now at the broker, so the seconds asked for
 * are the time left plus what is added (at most the role's maximum per extension).
 */
export function quickExtend(
  snapshot: AgentSnapshot | null,
  grantId: string,
): { addSeconds: number; fromNowSeconds: number } | null {
  const grant = snapshot?.grants.find((g) => g.id === grantId);
  if (!snapshot || !grant || grant.status !== 'active' || grant.expiresAt === null) return null;
  if (extensionCap(grant.extension) <= 0) return null;
  const left = Math.max(
    0,
    Math.round((Date.parse(grant.expiresAt) - Date.parse(snapshot.now)) / 1000),
  );
  const addSeconds = Math.min(
    grant.grantedSeconds,
    grant.extension.remainingSeconds,
    grant.extension.maxEachSeconds - left,
  );
  if (!(addSeconds >= MIN_QUICK_EXTEND_SECONDS)) return null;
  return { addSeconds, fromNowSeconds: left + addSeconds };
}

/** How much one click on a notification's Extend adds to the deadline; null when not offered. */
export function quickExtendSeconds(snapshot: AgentSnapshot | null, grantId: string): number | null {
  return quickExtend(snapshot, grantId)?.addSeconds ?? null;
}

/** The buttons for a notice, from the planner's `actions` and the latest snapshot. */
export function noticeButtons(notice: AgentNotice, snapshot: AgentSnapshot | null): NoticeButton[] {
  const grantId = notice.grantId;
  return notice.actions.flatMap((kind): NoticeButton[] => {
    switch (kind) {
      case 'extend': {
        const quick = quickExtend(snapshot, grantId);
        return quick === null
          ? []
          : [
              {
                text: `Extend +${formatDuration(quick.addSeconds)}`,
                action: { type: 'extend', grantId, seconds: quick.fromNowSeconds },
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
