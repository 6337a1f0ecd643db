/** Electron main: single instance, hosts the agent, serves the renderer, tray and notifications. */
import { app, dialog, ipcMain, Notification, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { loadAgentConfig, type AgentConfig } from '../agent/config.ts';
import type { AgentNotice, AgentPush, Result } from '../protocol/index.ts';
import { assertNever } from '../protocol/errors.ts';
import { startDemo } from '../demo/demo-setup.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { appOrigin, installAppProtocol, registerAppScheme } from './app-protocol.ts';
import { pushToRenderer, registerIpcBridge } from './ipc-bridge.ts';
import { externalHostsOf } from './navigation-guards.ts';
import { grantUrl, noticeView } from './notice-view.ts';
import { createSecureWindow } from './secure-window.ts';
import { createHourglassTray } from './tray.ts';
import { emptyTrayState, traySnapshotReceived, trayStateAt, type TrayState } from './tray-state.ts';
import type { TrayAction } from './tray-menu.ts';

registerAppScheme();

async function signInFromTray(agent: RunningAgent): Promise<void> {
  const begun = await agent.handlers.beginLogin({ openBrowser: true });
  if (begun.ok) await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
}

/** `--demo` (what `npm start` passes) runs the embedded IdP + broker in this process. */
async function resolveConfig(): Promise<{
  config: Result<AgentConfig>;
  stop: () => Promise<void>;
}> {
  if (!process.argv.includes('--demo')) {
    return { config: loadAgentConfig(process.env), stop: () => Promise.resolve() };
  }
  const demo = await startDemo(process.env);
  return { config: { ok: true, value: demo.agentConfig }, stop: () => demo.stack.close() };
}

async function run(): Promise<void> {
  await app.whenReady();
  const { config, stop: stopDemo } = await resolveConfig();
  if (!config.ok) {
    dialog.showErrorBox('Hourglass cannot start', config.error.message);
    app.quit();
    return;
  }
  const agent = await startAgent(config.value);
  const root = app.getAppPath();
  installAppProtocol(join(root, 'dist', 'renderer'));
  registerIpcBridge(ipcMain, agent.handlers, appOrigin);

  let win: BrowserWindow | null = null;
  const showWindow = (grantId?: string) => {
    const url = grantId ? grantUrl(appOrigin, grantId) : `${appOrigin}/index.html`;
    if (!win || win.isDestroyed()) {
      win = createSecureWindow({
        preloadPath: join(root, 'dist', 'electron', 'preload.cjs'),
        appOrigin,
        externalHosts: externalHostsOf([config.value.issuer, config.value.brokerUrl]),
      });
      win.once('ready-to-show', () => win?.show());
      void win.loadURL(url);
      return;
    }
    // Same document, new fragment: the renderer selects that grant (hashchange), no reload.
    if (grantId) void win.loadURL(url);
    win.show();
    win.focus();
  };
  app.on('second-instance', () => showWindow());
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);

  const showNotice = (notice: AgentNotice) => {
    if (!Notification.isSupported()) return;
    const shown = new Notification(noticeView(notice));
    shown.on('click', () => showWindow(notice.grantId));
    shown.show();
  };

  let trayState: TrayState = emptyTrayState(Date.now());
  // The agent pushes; nothing here polls. Snapshots feed the tray and the window, notices the OS.
  const onPush = (push: AgentPush) => {
    if (win && !win.isDestroyed()) pushToRenderer(win.webContents, push, appOrigin);
    switch (push.type) {
      case 'snapshot':
        trayState = traySnapshotReceived(trayState, push.snapshot, Date.now());
        return;
      case 'notice':
        return showNotice(push.notice);
      default:
        return assertNever(push);
    }
  };
  const unsubscribe = agent.subscribe(onPush);

  const onAction = (action: TrayAction) => {
    switch (action) {
      case 'open':
        return showWindow();
      case 'sign-in':
        return void signInFromTray(agent);
      case 'sign-out':
        return void agent.handlers.logout({});
      case 'quit':
        return app.quit();
      default:
        return assertNever(action);
    }
  };
  const tray = createHourglassTray(
    join(root, 'assets', 'tray-icon.png'),
    () => trayStateAt(trayState, Date.now()),
    onAction,
  );
  app.on('before-quit', () => {
    unsubscribe();
    tray.destroy();
    void agent.close().then(stopDemo);
  });
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run().catch((error: unknown) => {
    dialog.showErrorBox(
      'Hourglass failed to start',
      error instanceof Error ? error.message : 'unknown error',
    );
    app.quit();
  });
}
