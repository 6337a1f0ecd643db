/**
 * A stand-in for the `electron` module, for running the real main process under plain Node (the
 * Electron runtime cannot be downloaded here). It records what the app does with app, Tray, Menu,
 * Notification, BrowserWindow, ipcMain, powerMonitor, shell and protocol, sends each record to
 * the harness test over the child-process IPC channel, and performs the test's commands (click a
 * menu item, press a notification button, emit a power event, invoke an IPC channel…).
 * It draws nothing and decides nothing: every decision stays in the app code under test.
 */
import { app } from './standin-app.ts';
import { serveCommands } from './standin-commands.ts';
import {
  clipboard,
  dialog,
  ipcMainStandin,
  net,
  powerMonitor,
  protocol,
  session,
  shell,
} from './standin-services.ts';
import { Menu, NotificationStandin, Tray, nativeImage } from './standin-ui.ts';
import { BrowserWindowStandin } from './standin-window.ts';

serveCommands();

export {
  app,
  BrowserWindowStandin as BrowserWindow,
  clipboard,
  dialog,
  ipcMainStandin as ipcMain,
  Menu,
  nativeImage,
  net,
  NotificationStandin as Notification,
  powerMonitor,
  protocol,
  session,
  shell,
  Tray,
};

/** Default export: electron-store does `import electron from 'electron'`. */
export default {
  app,
  Menu,
  Tray,
  nativeImage,
  Notification: NotificationStandin,
  BrowserWindow: BrowserWindowStandin,
  ipcMain: ipcMainStandin,
  powerMonitor,
  shell,
  clipboard,
  dialog,
  protocol,
  net,
  session,
};
