/** The stand-in Menu, Tray, nativeImage and Notification. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { RecordedMenuItem } from './standin-protocol.ts';
import { record } from './standin-record.ts';

interface MenuTemplateItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

function renderMenu(items: readonly MenuTemplateItem[]): RecordedMenuItem[] {
  return items.map((item) => ({
    label: item.label ?? '',
    ...(item.type ? { type: item.type } : {}),
    enabled: item.enabled !== false,
    ...(item.submenu ? { submenu: renderMenu(item.submenu) } : {}),
  }));
}

/** The stand-in `Menu`: keeps the template so the test can click through it. */
export class Menu {
  constructor(readonly template: MenuTemplateItem[]) {}
  static buildFromTemplate(template: MenuTemplateItem[]): Menu {
    return new Menu(template);
  }
}

interface ImageStandin {
  path: string;
  isEmpty(): boolean;
}

/** The stand-in `nativeImage`. */
export const nativeImage = {
  createFromPath: (path: string): ImageStandin => ({ path, isEmpty: () => !existsSync(path) }),
};

/** The menu the tray shows now (what the test clicks through). */
export let currentMenu: Menu | null = null;

/** The stand-in `Tray`. */
export class Tray {
  constructor(image: ImageStandin) {
    record({ kind: 'tray', op: 'create' });
    this.setImage(image);
  }
  setImage(image: ImageStandin): void {
    record({ kind: 'tray', op: 'image', file: basename(image.path), exists: !image.isEmpty() });
  }
  setTitle(value: string): void {
    record({ kind: 'tray', op: 'title', value });
  }
  setToolTip(value: string): void {
    record({ kind: 'tray', op: 'tooltip', value });
  }
  setContextMenu(menu: Menu): void {
    currentMenu = menu;
    record({ kind: 'tray', op: 'menu', menu: renderMenu(menu.template) });
  }
  destroy(): void {
    currentMenu = null;
    record({ kind: 'tray', op: 'destroy' });
  }
}

/** Clicks the item whose labels start with each entry of `path`; answers its label. */
export function clickMenu(path: readonly string[]): string {
  let items = currentMenu?.template ?? [];
  for (const [depth, wanted] of path.entries()) {
    const item = items.find((i) => (i.label ?? '').startsWith(wanted));
    if (!item) throw new Error(`no menu item starting with "${wanted}" at depth ${depth}`);
    if (depth === path.length - 1) {
      if (!item.click || item.enabled === false) throw new Error(`"${wanted}" is not clickable`);
      item.click();
      return item.label ?? '';
    }
    items = item.submenu ?? [];
  }
  throw new Error('empty menu path');
}

interface NotificationOptions {
  title?: string;
  body?: string;
  urgency?: string;
  actions?: { type: string; text: string }[];
}

/** Every notification shown, oldest first. */
export const notifications: NotificationStandin[] = [];

/** The stand-in `Notification`. */
export class NotificationStandin extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: NotificationOptions) {
    super();
  }
  show(): void {
    notifications.push(this);
    record({
      kind: 'notification',
      title: this.options.title ?? '',
      body: this.options.body ?? '',
      actions: (this.options.actions ?? []).map((a) => a.text),
      urgency: this.options.urgency ?? 'normal',
    });
  }
}
