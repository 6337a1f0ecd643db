/** Parsing and formatting of human durations (`90s`, `15m`, `1h`, `1h30m`). Pure. */

/** Outcome of parsing a duration. */
export type DurationParse =
  { status: 'success'; seconds: number } | { status: 'error'; message: string };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_RE = /^(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$/;

/** Parses a duration such as `90s`, `15m`, `1h` or `1h30m` into whole seconds. */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim().toLowerCase();
  const match = trimmed.length > 0 && trimmed.length <= 32 ? DURATION_RE.exec(trimmed) : null;
  if (!match || match.slice(1).every((part) => part === undefined)) {
    return {
      status: 'error',
      message: `"${text.slice(0, 32)}" is not a duration; use a number with a unit, e.g. 90s, 15m, 1h or 1h30m`,
    };
  }
  const [, d, h, m, s] = match;
  const seconds =
    Number(d ?? 0) * UNIT_SECONDS.d! +
    Number(h ?? 0) * UNIT_SECONDS.h! +
    Number(m ?? 0) * UNIT_SECONDS.m! +
    Number(s ?? 0);
  if (seconds <= 0) return { status: 'error', message: 'a duration must be longer than 0s' };
  return { status: 'success', seconds };
}

/** Formats seconds as a short human duration, e.g. `1h 5m`, `42s`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return rest > 0 ? `${m}m ${rest}s` : `${m}m`;
  return `${rest}s`;
}

/** Formats a countdown as `H:MM:SS` or `M:SS`. */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
