/**
 * The window's hash routes, pure: `#/approvals` names a view, `#grant=<id>` (a notification click,
 * the tray's "Open Hourglass" on a grant) opens the view that shows that grant.
 */
import type { GrantStatus } from '../protocol/broker-api.ts';
import { assertNever } from '../protocol/errors.ts';
import { grantFromFragment } from './fragment.logic.ts';

/** The views of the full layout, in the order the navigation lists them. */
export const viewNames = [
  'active',
  'request',
  'approvals',
  'history',
  'roles',
  'settings',
] as const;
/** One view. */
export type ViewName = (typeof viewNames)[number];

/** Where the window is: a named view, or "wherever grant X is shown". */
export type Route = { kind: 'view'; view: ViewName } | { kind: 'grant'; grantId: string };

/** The view the window opens on. */
export const homeRoute: Route = { kind: 'view', view: 'active' };

/** The fragment of a view's route (`#/history`). */
export const viewHash = (view: ViewName): string => `#/${view}`;

function isViewName(text: string): text is ViewName {
  return (viewNames as readonly string[]).includes(text);
}

/** The route a fragment names, or null (no route in it: a token, a pre-fill, garbage). */
export function routeFromFragment(hash: string): Route | null {
  const path = /^#\/([a-z]{1,20})$/.exec(hash);
  if (path?.[1] !== undefined) return isViewName(path[1]) ? { kind: 'view', view: path[1] } : null;
  const grantId = grantFromFragment(hash);
  return grantId ? { kind: 'grant', grantId } : null;
}

/**
 * The view showing a grant: the inbox when it waits for this user's decision, Active while it is
 * the user's own active or pending grant (`ownStatus`), History once it ended. A grant not (yet)
 * known — the snapshot has not arrived — opens Active, and the route follows when it arrives.
 */
export function viewForGrant(awaitsMyDecision: boolean, ownStatus: GrantStatus | null): ViewName {
  if (awaitsMyDecision) return 'approvals';
  if (ownStatus === null) return 'active';
  switch (ownStatus) {
    case 'active':
    case 'pending':
      return 'active';
    case 'expired':
    case 'revoked':
    case 'denied':
    case 'cancelled':
      return 'history';
    default:
      return assertNever(ownStatus);
  }
}
