/** The desktop app's settings: schema (shared by main and the window) and the marks field. Pure. */
import { z } from 'zod';
import { shellSchema } from '../protocol/agent-api.ts';
import { roleNameSchema } from '../protocol/broker-api.ts';
import { formatDuration, parseDuration } from '../protocol/duration.ts';

const lastRequestSchema = z.object({
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(31 * 86400),
  reason: z.string().max(500),
  ticket: z.string().max(100).optional(),
});

/** Shells the app opens terminals in and writes the export line for (POSIX-style and fish). */
export const terminalShellSchema = shellSchema.extract(['bash', 'zsh', 'fish']);
/** One of them. */
export type TerminalShell = z.infer<typeof terminalShellSchema>;

/** Warning marks: seconds before a deadline, at most 10, each at most a day. */
export const warnMarksSchema = z.array(z.number().int().positive().max(86400)).max(10);

/** Everything the user can set; parsed on read so a hand-edited file cannot inject odd values. */
export const appSettingsSchema = z.object({
  /** Warning marks (seconds before a deadline); absent: the agent's configured ones. */
  warnBeforeSeconds: warnMarksSchema.optional(),
  defaultShell: terminalShellSchema.default('bash'),
  launchAtLogin: z.boolean().default(false),
  /** Sign out and wipe every secret of the profile when the screen locks. */
  wipeOnLock: z.boolean().default(false),
  lastRequests: z.record(roleNameSchema, lastRequestSchema).default({}),
});
/** The settings as the app uses them. */
export type AppSettings = z.infer<typeof appSettingsSchema>;

/** What the window may change (never `lastRequests`: main records those itself). */
export const settingsChangeSchema = z.strictObject({
  warnBeforeSeconds: warnMarksSchema.optional(),
  defaultShell: terminalShellSchema.optional(),
  launchAtLogin: z.boolean().optional(),
  wipeOnLock: z.boolean().optional(),
});
/** A change from the Settings view. */
export type SettingsChange = z.infer<typeof settingsChangeSchema>;

/** Parses "10m, 2m" into marks in seconds, largest first; or says what is wrong. */
export function parseWarnMarks(
  text: string,
): { status: 'success'; seconds: number[] } | { status: 'error'; message: string } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0)
    return { status: 'error', message: 'Give at least one mark, e.g. 10m, 2m.' };
  const seconds: number[] = [];
  for (const part of parts) {
    const parsed = parseDuration(part);
    if (parsed.status === 'error') return { status: 'error', message: parsed.message };
    seconds.push(parsed.seconds);
  }
  const checked = warnMarksSchema.safeParse([...new Set(seconds)].sort((a, b) => b - a));
  return checked.success
    ? { status: 'success', seconds: checked.data }
    : { status: 'error', message: 'At most 10 marks, each at most 1 day before the deadline.' };
}

/** Marks as the field shows them: `10m, 2m`. */
export function formatWarnMarks(seconds: readonly number[]): string {
  return seconds.map((s) => formatDuration(s).replaceAll(' ', '')).join(', ');
}
