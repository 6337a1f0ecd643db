/** Instants shown in the user's locale and time zone, never as raw ISO UTC. Pure. */

/**
 * `14:05` today, `Tue 14:05` within a week, else `3 Mar 2031, 14:05` — in `locale`/`timeZone`
 * (default: the browser's). An unparseable instant is shown as "unknown time".
 */
export function localTime(iso: string, nowMs: number, locale?: string, timeZone?: string): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return 'unknown time';
  const zone = timeZone ? { timeZone } : {};
  const day = (ms: number) =>
    new Intl.DateTimeFormat(locale, { ...zone, dateStyle: 'short' }).format(ms);
  const time = new Intl.DateTimeFormat(locale, { ...zone, timeStyle: 'short' }).format(at);
  if (day(at) === day(nowMs)) return time;
  if (Math.abs(nowMs - at) < 6 * 86_400_000) {
    const weekday = new Intl.DateTimeFormat(locale, { ...zone, weekday: 'short' }).format(at);
    return `${weekday} ${time}`;
  }
  return new Intl.DateTimeFormat(locale, {
    ...zone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}

const ISO_INSTANT =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** `text` with every ISO-8601 instant in it (e.g. from a notice body) shown as `localTime`. */
export function localizeInstants(
  text: string,
  nowMs: number,
  locale?: string,
  timeZone?: string,
): string {
  return text.replace(ISO_INSTANT, (iso) => localTime(iso, nowMs, locale, timeZone));
}
