/** The app's settings in main: the shared schema, the store port and pure updates. */
import type { AppSettings } from '../renderer/settings.logic.ts';
import type { LastRequest } from './tray-state.ts';

export { appSettingsSchema, settingsChangeSchema } from '../renderer/settings.logic.ts';
export type { AppSettings, SettingsChange } from '../renderer/settings.logic.ts';

/** Where settings are read and written (electron-store in the app). */
export interface SettingsPort {
  read(): AppSettings;
  update(change: Partial<AppSettings>): AppSettings;
}

/** Pure: the settings after remembering a request made for `role`. */
export function rememberRequest(
  settings: AppSettings,
  role: string,
  request: LastRequest,
): AppSettings {
  return { ...settings, lastRequests: { ...settings.lastRequests, [role]: request } };
}
