/** Runs what a tray item or notification button asks for, against the agent. */
import type { AgentHandlers, AgentSnapshot, Result } from '../protocol/index.ts';
import type { TerminalShell as Shell } from '../renderer/settings.logic.ts';
import { assertNever } from '../protocol/errors.ts';
import type { AppWindows } from './app-windows.ts';
import { exportCommand } from '../protocol/export-command.ts';
import type { TrayAction } from './tray-action.ts';

/** What the actions need from the app (injected: Electron, settings and the agent stay outside). */
export interface ActionDeps {
  handlers: AgentHandlers;
  windows: AppWindows;
  latest(): AgentSnapshot | null;
  profile: string;
  defaultShell(): Shell;
  copyText(text: string): void;
  openTerminal(role: string, shell: Shell): void;
  /** Opens an IdP page in the system browser (guarded by the caller). */
  openIdpPage(url: string): void;
  /** Tells the user an action failed (a notification). */
  report(title: string, message: string): void;
  quit(): void;
}

async function signIn(deps: ActionDeps): Promise<Result<unknown>> {
  // The app opens the browser itself, so the URL passes the IdP-host guard first.
  const begun = await deps.handlers.beginLogin({ openBrowser: false });
  if (!begun.ok) return begun;
  deps.openIdpPage(begun.value.authorizationUrl);
  return deps.handlers.awaitLogin({ loginId: begun.value.loginId });
}

async function signOut(deps: ActionDeps): Promise<Result<unknown>> {
  const out = await deps.handlers.logout({});
  if (out.ok && out.value.endSessionUrl) deps.openIdpPage(out.value.endSessionUrl);
  return out;
}

/** Runs the action; answers its Result (failures are also reported to the user). */
async function run(deps: ActionDeps, action: TrayAction): Promise<Result<unknown>> {
  const h = deps.handlers;
  switch (action.type) {
    case 'open':
      deps.windows.showMain();
      return { ok: true, value: null };
    case 'open-grant':
      deps.windows.showMain(action.grantId);
      return { ok: true, value: null };
    case 'sign-in':
      return signIn(deps);
    case 'sign-out':
      return signOut(deps);
    case 'quit':
      deps.quit();
      return { ok: true, value: null };
    case 'extend':
      return h.extendGrant({ grantId: action.grantId, durationSeconds: action.seconds });
    case 'copy-export':
      deps.copyText(exportCommand(action.role, deps.profile, deps.defaultShell()));
      return { ok: true, value: null };
    case 'open-terminal':
      deps.openTerminal(action.role, deps.defaultShell());
      return { ok: true, value: null };
    case 'done':
      return h.revokeGrant({ grantId: action.grantId, reason: 'done (tray)' });
    case 'cancel':
      return h.cancelGrant({ grantId: action.grantId });
    case 'request':
      deps.windows.showRequest(action.prefill);
      return { ok: true, value: null };
    case 'approve':
      return h.approveGrant({ grantId: action.grantId });
    case 'deny':
      return h.denyGrant({ grantId: action.grantId });
    default:
      return assertNever(action);
  }
}

const failureTitles: Partial<Record<TrayAction['type'], string>> = {
  'sign-in': 'Sign-in failed',
  'sign-out': 'Sign-out failed',
  extend: 'Could not extend',
  done: 'Could not end the grant',
  cancel: 'Could not cancel the request',
  approve: 'Could not approve',
  deny: 'Could not deny',
};

/** Runs `action`, reporting a failure to the user; never throws. */
export async function performAction(deps: ActionDeps, action: TrayAction): Promise<void> {
  let result: Result<unknown>;
  try {
    result = await run(deps, action);
  } catch (error) {
    result = {
      ok: false,
      error: {
        code: 'internal',
        message: error instanceof Error ? error.message : 'unknown error',
      },
    };
  }
  if (!result.ok) deps.report(failureTitles[action.type] ?? 'Hourglass', result.error.message);
}
