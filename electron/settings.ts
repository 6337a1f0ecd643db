/** The app's settings: schema, defaults and the electron-store file they persist in. */
import { z } from 'zod';
import { shellSchema } from '../protocol/agent-api.ts';
import { roleNameSchema } from '../protocol/broker-api.ts';
import type { LastRequest } from './tray-state.ts';

const lastRequestSchema = z.object({
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(31 * 86400),
  reason: z.string().max(500),
  ticket: z.string().max(100).optional(),
});

/** Everything the user can set; parsed on read so a hand-edited file cannot inject odd values. */
export const appSettingsSchema = z.object({
  /** Warning marks (seconds before a deadline); absent: the agent's configured ones. */
  warnBeforeSeconds: z.array(z.number().int().positive().max(86400)).max(10).optional(),
  defaultShell: shellSchema.default('bash'),
  launchAtLogin: z.boolean().default(false),
  /** Sign out and wipe every secret of the profile when the screen locks. */
  wipeOnLock: z.boolean().default(false),
  lastRequests: z.record(roleNameSchema, lastRequestSchema).default({}),
});
/** The settings as the app uses them. */
export type AppSettings = z.infer<typeof appSettingsSchema>;

/** Where settings are read and written (electron-store in the app, a plain object in tests). */
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
