/**
 * The tray icon: state icon, countdown in the title/tooltip and the menu, all from `trayMenu()`.
 * Re-rendered on every push, and once a second only while something counts down.
 */
import { join } from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { assertNever } from '../protocol/errors.ts';
import { trayIconFile, type TrayIconState } from './tray-icon-state.ts';
import { trayMenu, type TrayAction, type TrayItem, type TrayState } from './tray-menu.ts';

function toMenuItem(item: TrayItem, onAction: (a: TrayAction) => void): MenuItemConstructorOptions {
  switch (item.kind) {
    case 'label':
      return { label: item.label, enabled: false };
    case 'separator':
      return { type: 'separator' };
    case 'action':
      return { label: item.label, click: () => onAction(item.action) };
    case 'submenu':
      return { label: item.label, submenu: item.items.map((i) => toMenuItem(i, onAction)) };
    default:
      return assertNever(item);
  }
}

/** The running tray. */
export interface HourglassTray {
  /** Re-renders now (a snapshot arrived); starts or stops the one-second tick. */
  refresh: () => void;
  destroy: () => void;
}

/** Creates the tray; `readState` is read on each render, `onAction` runs menu actions. */
export function createHourglassTray(
  assetsDir: string,
  platform: NodeJS.Platform,
  readState: () => TrayState,
  onAction: (action: TrayAction) => void,
): HourglassTray {
  const iconOf = (state: TrayIconState) =>
    nativeImage.createFromPath(join(assetsDir, trayIconFile(state, platform)));
  let icon: TrayIconState = 'signed-out';
  const tray = new Tray(iconOf(icon));
  let lastItems = '';
  let lastHead: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const render = () => {
    const view = trayMenu(readState());
    if (view.icon !== icon) {
      icon = view.icon;
      tray.setImage(iconOf(icon));
    }
    const head = `${view.title}\n${view.tooltip}`;
    if (head !== lastHead) {
      tray.setTitle(view.title);
      tray.setToolTip(view.tooltip);
      lastHead = head;
    }
    const key = JSON.stringify(view.items);
    if (key !== lastItems) {
      tray.setContextMenu(Menu.buildFromTemplate(view.items.map((i) => toMenuItem(i, onAction))));
      lastItems = key;
    }
    // Tick only while a countdown shows: an idle tray costs no timer wake-ups.
    if (view.ticking && timer === undefined) timer = setInterval(render, 1000);
    if (!view.ticking && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  render();
  return {
    refresh: render,
    destroy() {
      clearInterval(timer);
      tray.destroy();
    },
  };
}
