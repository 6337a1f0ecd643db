/** The tray app, once Electron is ready: agent link, window, tray, notices, power, deep links. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, Notification, powerMonitor, shell } from 'electron';
import type { AgentConfig } from '../agent/config.ts';
import type { AgentPush } from '../protocol/index.ts';
import type { TerminalShell as Shell } from '../renderer/settings.logic.ts';
import { assertNever } from '../protocol/errors.ts';
import { performAction, type ActionDeps } from './app-actions.ts';
import { resolveConfig } from './app-config.ts';
import { appLog } from './app-log.ts';
import { createNoticePresenter } from './app-notices.ts';
import { appOrigin, installAppProtocol } from './app-protocol.ts';
import { createAppWindows, type AppWindows } from './app-windows.ts';
import { linkAgent, type AgentLink } from './agent-link.ts';
import { applyLaunchAtLogin } from './login-item.ts';
import { parseDeepLink, deepLinkScheme } from './deep-link.ts';
import { pushToRenderer, registerIpcBridge, registerSettingsBridge } from './ipc-bridge.ts';
import type { Launch, LaunchQueue } from './launch-queue.ts';
import { externalHostsOf, isAllowedIdpUrl } from './navigation-guards.ts';
import { watchPower } from './app-power.ts';
import { withIdpSignOut } from './idp-sign-out.ts';
import { withRequestMemory } from './request-memory.ts';
import { rememberRequest, type SettingsPort } from './settings.ts';
import { openSettingsStore } from './settings-store.ts';
import { terminalLaunch } from './terminal-launch.ts';
import { createHourglassTray, type HourglassTray } from './tray.ts';
import type { TrayAction } from './tray-action.ts';
import { createTrayModel, type TrayModel } from './tray-model.ts';
import type { LastRequest } from './tray-state.ts';
import { createKeychainHealth } from './keychain-health.ts';

function notify(title: string, body: string): void {
  if (Notification.isSupported()) new Notification({ title, body }).show();
}

/**
 * Opens a sign-in or sign-out page of the IdP in the system browser. A tampered URL (from the
 * agent's answer) must not send the user to another site (RFC 8252): only the IdP's own origin.
 */
function idpPageOpener(config: AgentConfig): (url: string) => void {
  return (url) => {
    if (isAllowedIdpUrl(url, config.issuer, config.allowInsecureHttp)) void shell.openExternal(url);
    else notify('Sign-in blocked', 'The page is not on the configured identity provider.');
  };
}

function actionDeps(
  link: AgentLink,
  windows: AppWindows,
  config: AgentConfig,
  settings: SettingsPort,
  latest: ActionDeps['latest'],
): ActionDeps {
  return {
    handlers: link.handlers,
    windows,
    latest,
    profile: config.profile ?? 'default',
    defaultShell: () => settings.read().defaultShell,
    copyText: (text) => clipboard.writeText(text),
    openTerminal(role: string, sh: Shell) {
      const launch = terminalLaunch(process.platform, role, config.profile ?? 'default', sh);
      const child = spawn(launch.command, launch.args, { detached: true, stdio: 'ignore' });
      child.once('error', () =>
        notify('Could not open a terminal', `${launch.command} did not start`),
      );
      child.unref();
    },
    openIdpPage: idpPageOpener(config),
    report: notify,
    quit: () => app.quit(),
  };
}

function handleLaunch(launch: Launch, windows: AppWindows): void {
  if (launch === null) return windows.showMain();
  const parsed = parseDeepLink(launch);
  // A link only ever pre-fills the request window; the user reviews it and clicks Request.
  if (parsed.status === 'success') return windows.showRequest(parsed.prefill);
  appLog(`ignored link: ${parsed.message}`);
  notify('Hourglass link not opened', parsed.message);
}

async function startLink(settings: SettingsPort): Promise<{
  link: AgentLink;
  config: AgentConfig;
  stop: () => Promise<void>;
} | null> {
  const { config, stop } = await resolveConfig(process.argv, process.env);
  if (!config.ok) {
    dialog.showErrorBox('Hourglass cannot start', config.error.message);
    return null;
  }
  const marks = settings.read().warnBeforeSeconds;
  const agentConfig = marks ? { ...config.value, warnBeforeSeconds: marks } : config.value;
  const link = await linkAgent(agentConfig);
  appLog(`agent ${link.mode() === 'own' ? 'started in the app' : 'attached over its socket'}`);
  return { link, config: agentConfig, stop };
}

/** Applies the launch-at-login setting (login items, or the Linux autostart entry). */
function launchAtLogin(enabled: boolean): void {
  applyLaunchAtLogin(enabled, {
    platform: process.platform,
    env: process.env,
    execPath: process.execPath,
    // Unpackaged (`electron .`), the app path must follow the binary.
    args: process.defaultApp ? [app.getAppPath()] : [],
    setLoginItemSettings: (s) => app.setLoginItemSettings(s),
  });
}

/** Makes this app the `hourglass://` handler (unpackaged: the binary plus the app path). */
function registerLinkScheme(): void {
  if (process.defaultApp) {
    app.setAsDefaultProtocolClient(deepLinkScheme, process.execPath, [app.getAppPath()]);
  } else {
    app.setAsDefaultProtocolClient(deepLinkScheme);
  }
}

/** The parts `runApp` wires together. */
interface Wiring {
  link: AgentLink;
  config: AgentConfig;
  settings: SettingsPort;
  model: TrayModel;
  tray: HourglassTray;
  windows: AppWindows;
}

/** Snapshots and notices from the agent: to every window, the tray model, the OS notifications. */
function wirePushes(w: Wiring, onAction: (action: TrayAction) => void): () => void {
  const showNotice = createNoticePresenter(() => w.model.latest(), onAction);
  return w.link.subscribe((push: AgentPush) => {
    for (const win of w.windows.open()) pushToRenderer(win.webContents, push, appOrigin);
    switch (push.type) {
      case 'snapshot':
        w.model.snapshotReceived(push.snapshot, w.link.handlers, w.tray.refresh);
        return w.tray.refresh();
      case 'notice':
        return showNotice(push.notice);
      default:
        return assertNever(push);
    }
  });
}

/** The keychain probe (tray + banner) and the window's settings channels; answers the re-probe. */
function wireAppBridge(w: Wiring): () => void {
  const keychain = createKeychainHealth(w.config.profile ?? 'default');
  const probeKeychain = () =>
    void keychain.refresh().then((health) => {
      w.model.keychainChecked(health);
      w.tray.refresh();
    });
  probeKeychain();
  registerSettingsBridge(
    ipcMain,
    {
      keychainHealth: () => keychain.current(),
      read: () => w.settings.read(),
      apply(change) {
        const next = w.settings.update(change);
        if (change.launchAtLogin !== undefined) launchAtLogin(next.launchAtLogin);
        w.model.settingsChanged(next);
        w.tray.refresh();
        return next;
      },
    },
    appOrigin,
  );
  return probeKeychain;
}

/** Quit waits for the agent (and the demo) to close, then exits. */
function wireQuit(w: Wiring, stopAll: () => void, stopDemo: () => Promise<void>): void {
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    w.windows.allowClose();
    stopAll();
    w.tray.destroy();
    void w.link
      .close()
      .then(stopDemo)
      .finally(() => app.exit(0));
  });
}

/** Runs the app after `ready`; launches queued before are handled once the window can open. */
export async function runApp(launches: LaunchQueue): Promise<void> {
  await app.whenReady();
  const settings = openSettingsStore();
  const started = await startLink(settings);
  if (!started) return app.quit();
  const { link, config, stop } = started;
  const root = app.getAppPath();
  installAppProtocol(join(root, 'dist', 'renderer'));
  const model = createTrayModel(settings.read(), config.warnBeforeSeconds);
  const remember = (role: string, request: LastRequest) =>
    model.settingsChanged(settings.update(rememberRequest(settings.read(), role, request)));
  // The window's sign-out opens the IdP's end-session page from here, as the tray's does.
  const windowApi = withIdpSignOut(
    withRequestMemory(link.handlers, remember),
    idpPageOpener(config),
  );
  registerIpcBridge(ipcMain, windowApi, appOrigin);
  registerLinkScheme();
  launchAtLogin(settings.read().launchAtLogin);
  const windows = createAppWindows({
    preloadPath: join(root, 'dist', 'electron', 'preload.cjs'),
    appOrigin,
    externalHosts: externalHostsOf([config.issuer, config.brokerUrl]),
  });
  const deps = actionDeps(link, windows, config, settings, () => model.latest());
  const onAction = (action: TrayAction) => void performAction(deps, action);
  const tray = createHourglassTray(join(root, 'assets'), process.platform, model.state, onAction);
  const wiring: Wiring = { link, config, settings, model, tray, windows };
  const unsubscribe = wirePushes(wiring, onAction);
  const probeKeychain = wireAppBridge(wiring);
  const wipeOnLock = () => settings.read().wipeOnLock;
  const unwatchPower = watchPower(powerMonitor, link.handlers, wipeOnLock, probeKeychain);
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  wireQuit(
    wiring,
    () => {
      unsubscribe();
      unwatchPower();
    },
    stop,
  );
  launches.handle((launch) => handleLaunch(launch, windows));
}
