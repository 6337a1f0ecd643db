/** Electron main: single instance, hosts the agent, serves the renderer, tray with countdown. */
import { app, dialog, ipcMain, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { loadAgentConfig, type AgentConfig } from '../agent/config.ts';
import type { Result } from '../protocol/index.ts';
import { startDemo } from '../demo/demo-setup.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { appOrigin, installAppProtocol, registerAppScheme } from './app-protocol.ts';
import { registerIpcBridge } from './ipc-bridge.ts';
import { externalHostsOf } from './navigation-guards.ts';
import { createSecureWindow } from './secure-window.ts';
import { createHourglassTray } from './tray.ts';
import { pollTrayState } from './tray-state.ts';
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
  const showWindow = () => {
    if (!win || win.isDestroyed()) {
      win = createSecureWindow({
        preloadPath: join(root, 'dist', 'electron', 'preload.cjs'),
        appOrigin,
        externalHosts: externalHostsOf([config.value.issuer, config.value.brokerUrl]),
      });
      win.once('ready-to-show', () => win?.show());
      void win.loadURL(`${appOrigin}/index.html`);
    } else {
      win.show();
      win.focus();
    }
  };
  app.on('second-instance', showWindow);
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);

  const trayState = pollTrayState(agent.handlers);
  const onAction = (action: TrayAction) => {
    switch (action) {
      case 'open':
        return showWindow();
      case 'sign-in':
        return void signInFromTray(agent).then(() => trayState.refresh());
      case 'sign-out':
        return void agent.handlers.logout({}).then(() => trayState.refresh());
      case 'quit':
        return app.quit();
    }
  };
  const tray = createHourglassTray(join(root, 'assets', 'tray-icon.png'), trayState.read, onAction);
  app.on('before-quit', () => {
    tray.destroy();
    trayState.stop();
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
