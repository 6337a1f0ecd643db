/**
 * "Launch at login": Electron's login items on macOS and Windows; on Linux (where Electron has
 * none) an XDG autostart entry, `~/.config/autostart/hourglass.desktop`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the Linux autostart entry lives for `env`. */
export function autostartPath(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'autostart', 'hourglass.desktop');
}

/** The autostart entry for the app at `execPath` (quoted per the Desktop Entry spec). Pure. */
export function autostartEntry(execPath: string, args: readonly string[]): string {
  const quote = (arg: string) => `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Hourglass',
    'Comment=Time-bound production access',
    `Exec=${[execPath, ...args].map(quote).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** What applying the setting needs (Electron's call is injected). */
export interface LoginItemPorts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  execPath: string;
  args: readonly string[];
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

/** Turns launch-at-login on or off for this platform. */
export function applyLaunchAtLogin(enabled: boolean, ports: LoginItemPorts): void {
  if (ports.platform !== 'linux') return ports.setLoginItemSettings({ openAtLogin: enabled });
  const path = autostartPath(ports.env);
  if (!enabled) return rmSync(path, { force: true });
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, autostartEntry(ports.execPath, ports.args), { mode: 0o644 });
}
