/**
 * The agent's clock across restarts. Within one boot, a restarted agent continues the clock of
 * the one before (from the boot-time clock, which no wall-clock change moves), so the offset to the
 * broker it stored still holds and a wall clock set back while the agent was down delays nothing.
 * After a reboot, or where the OS has no boot id, the clock starts at the wall clock.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock, ElapsedTimer } from './clock.ts';
import { createElapsedTimer, createSteadyClock, readBootTimeMs } from './clock.ts';

const anchorSchema = z.object({
  bootId: z.string().min(1).max(100),
  bootMs: z.number().finite(),
  clockMs: z.number().finite(),
});
type Anchor = z.infer<typeof anchorSchema>;

/** What the anchor reads; injected in tests. */
export interface AnchorSources {
  bootId: () => string | null;
  bootMs: () => number | null;
  wallMs: () => number;
  elapsed: ElapsedTimer;
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function readAnchor(path: string): Anchor | null {
  try {
    const parsed = anchorSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function writeAnchor(path: string, anchor: Anchor): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(anchor), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // Without the anchor the next start uses the wall clock, as after a reboot: not fatal.
  }
}

/** The start instant of the agent clock for this run (epoch ms on the agent's time line). */
export function anchoredStartMs(dataDir: string, sources: Omit<AnchorSources, 'elapsed'>): number {
  const path = join(dataDir, 'clock.json');
  const bootId = sources.bootId();
  const boot = sources.bootMs();
  if (bootId === null || boot === null) return sources.wallMs();
  const previous = readAnchor(path);
  if (previous && previous.bootId === bootId && previous.bootMs <= boot)
    return previous.clockMs + (boot - previous.bootMs);
  const start = sources.wallMs();
  writeAnchor(path, { bootId, bootMs: boot, clockMs: start });
  return start;
}

/** Starts the agent's clock for `dataDir` (see the module comment). */
export function startAgentClock(
  dataDir: string,
  sources: AnchorSources = {
    bootId: readBootId,
    bootMs: readBootTimeMs,
    wallMs: () => Date.now(),
    elapsed: createElapsedTimer(),
  },
): Clock {
  return createSteadyClock(anchoredStartMs(dataDir, sources), sources.elapsed);
}
