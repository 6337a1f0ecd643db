import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchoredStartMs } from './clock-anchor.ts';
import type { ElapsedSources } from './clock.ts';
import { createElapsedTimer, createSteadyClock, readBootTimeMs } from './clock.ts';

/** Hand-driven clocks: monotonic, boot time (null: the OS has none) and wall. */
function sources(withBoot: boolean) {
  const t = { hr: 1000, boot: 50_000, wall: Date.parse('2030-01-01T00:00:00Z') };
  const s: ElapsedSources = {
    hrMs: () => t.hr,
    bootMs: () => (withBoot ? t.boot : null),
    wallMs: () => t.wall,
  };
  const run = (ms: number) => {
    t.hr += ms;
    t.boot += ms;
    t.wall += ms;
  };
  return { t, s, run };
}

describe('agent clock', () => {
  it('ignores wall-clock jumps either way', () => {
    for (const withBoot of [true, false]) {
      const { t, s, run } = sources(withBoot);
      const clock = createSteadyClock(t.wall, createElapsedTimer(s));
      const start = clock.now();
      run(2000);
      t.wall -= 3 * 3600_000; // set back 3 h
      expect(clock.now() - start).toBe(2000);
      run(500);
      expect(clock.now() - start).toBe(2500);
      if (withBoot) {
        t.wall += 6 * 3600_000; // and 3 h ahead of the truth: the boot clock says it was no suspend
        run(500);
        expect(clock.now() - start).toBe(3000);
      }
    }
  });

  it('counts a suspend: from the boot clock where there is one, else from the wall clock', () => {
    for (const withBoot of [true, false]) {
      const { t, s, run } = sources(withBoot);
      const clock = createSteadyClock(t.wall, createElapsedTimer(s));
      const start = clock.now();
      run(1000);
      // Suspended for an hour: the monotonic clock stood still, boot time and wall time ran.
      t.boot += 3600_000;
      t.wall += 3600_000;
      run(200);
      expect(clock.now() - start).toBe(1200 + 3600_000);
    }
  });

  it('a restart in the same boot continues the clock; a new boot starts at the wall clock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-clock-'));
    const first = anchoredStartMs(dir, {
      bootId: () => 'boot-a',
      bootMs: () => 10_000,
      wallMs: () => 1_000_000,
    });
    expect(first).toBe(1_000_000);
    expect(statSync(join(dir, 'clock.json')).mode & 0o777).toBe(0o600);
    // The wall clock was set back a day while the agent was down, 5 s of boot time later.
    const again = anchoredStartMs(dir, {
      bootId: () => 'boot-a',
      bootMs: () => 15_000,
      wallMs: () => 1_000_000 - 86_400_000,
    });
    expect(again).toBe(1_005_000);
    const rebooted = anchoredStartMs(dir, {
      bootId: () => 'boot-b',
      bootMs: () => 1_000,
      wallMs: () => 2_000_000,
    });
    expect(rebooted).toBe(2_000_000);
  });

  it('reads the boot-time clock on Linux', () => {
    if (process.platform !== 'linux') return;
    const boot = readBootTimeMs();
    expect(boot).toBeGreaterThan(0);
  });
});
