/** Durations the request form offers for a role: the usual ones up to its maximum. Pure. */
import { formatDuration } from '../protocol/duration.ts';
import { standardPresetSeconds } from './extend-presets.logic.ts';

/** The standard presets up to `maxSeconds`, plus the maximum itself when it is not one. */
export function requestPresets(maxSeconds: number): number[] {
  const seconds = standardPresetSeconds.filter((s) => s <= maxSeconds);
  if (!seconds.includes(maxSeconds)) seconds.push(maxSeconds);
  return seconds;
}

/** A duration as the form's text field takes it (`1h30m`, no spaces). */
export function durationText(seconds: number): string {
  return formatDuration(seconds).replaceAll(' ', '');
}
