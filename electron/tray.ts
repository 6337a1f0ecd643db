/** The tray icon: countdown in the title/tooltip, menu rebuilt from `trayMenu()` every second. */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { trayMenu, type TrayAction, type TrayItem, type TrayState } from './tray-menu.ts';

function toMenuItem(item: TrayItem, onAction: (a: TrayAction) => void): MenuItemConstructorOptions {
  switch (item.kind) {
    case 'label':
      return { label: item.label, enabled: false };
    case 'separator':
      return { type: 'separator' };
    case 'action':
      return { label: item.label, click: () => onAction(item.action) };
  }
}

/** Creates the tray; `readState` is polled each second, `onAction` runs menu actions. */
export function createHourglassTray(
  iconPath: string,
  readState: () => TrayState,
  onAction: (action: TrayAction) => void,
): { destroy(): void } {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  let lastItems = '';
  const render = () => {
    const view = trayMenu(readState());
    tray.setTitle(view.title);
    tray.setToolTip(view.tooltip);
    const key = JSON.stringify(view.items);
    if (key !== lastItems) {
      tray.setContextMenu(Menu.buildFromTemplate(view.items.map((i) => toMenuItem(i, onAction))));
      lastItems = key;
    }
  };
  render();
  const timer = setInterval(render, 1000);
  return {
    destroy() {
      clearInterval(timer);
      tray.destroy();
    },
  };
}
