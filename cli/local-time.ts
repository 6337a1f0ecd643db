/**
 * Instants as people read them in the CLI's text output: local wall-clock time with the zone
 * (`10:36:56 CET`), and the date when it is not today (`2026-11-28 10:36:56 CET`), as the desktop
 * window shows them. `--json` output keeps ISO UTC. The zone is the process's (`TZ`), read at each
 * call. Zod-free: the fast path (cli/fast-path.ts) bundles it with `formatStatus`.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter: building one costs far more than using it. */
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, found);
  }
  return found;
}

function part(parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string {
  return parts.find((p) => p.type === type)?.value ?? '';
}

const NUMERIC_OFFSET = /^(?:GMT|UTC)[+-]/;

/**
 * The zone's name at `date`: an abbreviation where one is common (`CET`, `EST`, `UTC`), else the
 * UTC offset (`+05:30`).
 */
function zoneName(date: Date, timeZone: string): string {
  for (const locale of ['en-US', 'en-GB']) {
    const name = part(
      formatter(locale, { timeZone, timeZoneName: 'short' }).formatToParts(date),
      'timeZoneName',
    );
    if (name !== '' && !NUMERIC_OFFSET.test(name)) return name;
  }
  const offset = part(
    formatter('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date),
    'timeZoneName',
  );
  return offset.replace(/^GMT/, '') || 'UTC';
}

/** `YYYY-MM-DD` and `HH:MM:SS` of `date` in `timeZone`. */
function wallClock(date: Date, timeZone: string): { day: string; time: string } {
  const parts = formatter('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const p = (type: Intl.DateTimeFormatPartTypes) => part(parts, type);
  return {
    day: `${p('year')}-${p('month')}-${p('day')}`,
    time: `${p('hour')}:${p('minute')}:${p('second')}`,
  };
}

/** The process's time zone (`TZ`, else the system's). */
const processZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * `instant` in local time with its zone; the date too when it is not `now`'s day (or `withDate`).
 * A missing or unreadable instant reads `?`.
 */
export function localTime(
  instant: string | null | undefined,
  now: string | number = Date.now(),
  withDate = false,
): string {
  const date = new Date(instant ?? '');
  if (!instant || Number.isNaN(date.getTime())) return '?';
  const timeZone = processZone();
  const { day, time } = wallClock(date, timeZone);
  const reference = new Date(now);
  const today = wallClock(Number.isNaN(reference.getTime()) ? new Date() : reference, timeZone).day;
  const when = withDate || day !== today ? `${day} ${time}` : time;
  return `${when} ${zoneName(date, timeZone)}`;
}
