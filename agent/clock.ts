/**
 * Time as a port, so deadline logic is tested with an injected clock; and the agent's own clock,
 * which runs on the monotonic clock so a wall-clock jump (NTP step, a user changing the time,
 * libfaketime in the tests) neither delays nor advances a wipe.
 */
import { readFileSync } from 'node:fs';

/** A source of the current instant in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The real wall clock (what `Date.now()` says; it can jump either way). */
export const systemClock: Clock = { now: () => Date.now() };

/** Milliseconds since an arbitrary origin: never jumps, never runs backwards. */
export interface ElapsedTimer {
  elapsedMs(): number;
}

/**
 * Seconds since boot including time suspended (Linux `CLOCK_BOOTTIME` through `/proc/uptime`),
 * in ms; null where the OS offers no such file.
 */
export function readBootTimeMs(): number | null {
  try {
    const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(seconds) ? seconds * 1000 : null;
  } catch {
    return null;
  }
}

/** What the elapsed timer reads; injected in tests. */
export interface ElapsedSources {
  /** Monotonic ms (does not advance while the machine is suspended). */
  hrMs: () => number;
  /** Boot time including suspend, or null where unavailable. */
  bootMs: () => number | null;
  wallMs: () => number;
}

const realSources: ElapsedSources = {
  hrMs: () => performance.now(),
  bootMs: readBootTimeMs,
  wallMs: () => Date.now(),
};

/** Below this, a wall clock ahead of the monotonic clock is noise, not a suspend. */
const SUSPEND_NOISE_MS = 1000;
/** `/proc/uptime` is read at most this often (it has 10 ms resolution anyway). */
const BOOT_READ_EVERY_MS = 100;

/**
 * The monotonic clock plus the time the machine was suspended. The monotonic clock stops during a
 * suspend on Linux and macOS, which would delay a wipe by the length of the sleep: on Linux the
 * boot-time clock (which counts suspend, and which no wall-clock change moves) says how long it
 * was. Elsewhere a wall clock that ran ahead of the monotonic one by more than a second is taken as
 * a suspend: a forward clock jump then wipes early, which fails closed; a backward jump is ignored.
 */
export function createElapsedTimer(sources: ElapsedSources = realSources): ElapsedTimer {
  const hr0 = sources.hrMs();
  const boot0 = sources.bootMs();
  let suspended = 0;
  let lastHr = hr0;
  let lastWall = sources.wallMs();
  let lastBootRead = hr0 - BOOT_READ_EVERY_MS;
  return {
    elapsedMs() {
      const hr = sources.hrMs();
      if (boot0 !== null) {
        if (hr - lastBootRead >= BOOT_READ_EVERY_MS) {
          lastBootRead = hr;
          const boot = sources.bootMs();
          if (boot !== null) suspended = Math.max(suspended, boot - boot0 - (hr - hr0));
        }
      } else {
        const wall = sources.wallMs();
        const ahead = wall - lastWall - (hr - lastHr);
        if (ahead > SUSPEND_NOISE_MS) suspended += ahead;
        lastWall = wall;
      }
      lastHr = hr;
      return hr - hr0 + suspended;
    },
  };
}

/** A clock that starts at `startMs` and then only moves with `elapsed`. */
export function createSteadyClock(startMs: number, elapsed: ElapsedTimer): Clock {
  const origin = elapsed.elapsedMs();
  return { now: () => startMs + elapsed.elapsedMs() - origin };
}
