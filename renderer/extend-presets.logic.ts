/** Which Extend buttons a grant offers: presets that fit its extension budget. Pure. */
import type { ExtensionBudget } from '../protocol/broker-api.ts';
import { formatDuration } from '../protocol/duration.ts';

/** One Extend choice. */
export interface ExtendPreset {
  seconds: number;
  label: string;
}

/** The usual choices, shortest first. */
export const standardPresetSeconds = [15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600];

/** Longest single extension the budget allows now (0 when none is left). */
export function extensionCap(budget: ExtensionBudget): number {
  if (budget.remainingCount <= 0) return 0;
  return Math.max(0, Math.min(budget.maxEachSeconds, budget.remainingSeconds));
}

/**
 * Presets within the budget: the standard ones up to the cap, plus the cap itself when it is
 * not one of them (so the last minutes of a budget can still be used).
 */
export function extendPresets(budget: ExtensionBudget): ExtendPreset[] {
  const cap = extensionCap(budget);
  if (cap === 0) return [];
  const seconds = standardPresetSeconds.filter((s) => s <= cap);
  if (!seconds.includes(cap)) seconds.push(cap);
  return seconds.map((s) => ({ seconds: s, label: formatDuration(s) }));
}

/** Why a grant cannot be extended, in words; null when it can. */
export function extendUnavailableReason(budget: ExtensionBudget): string | null {
  if (budget.remainingCount <= 0) return 'No extensions left for this grant.';
  if (extensionCap(budget) === 0) return 'The extension time budget is used up.';
  return null;
}
