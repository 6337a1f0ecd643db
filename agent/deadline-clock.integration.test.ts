import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../cli/profile-harness.ts';
import type { AgentProcess, DeadlineHarness } from './deadline-harness.ts';
import { LIBFAKETIME, requestShort, signIn, startDeadlineHarness } from './deadline-harness.ts';

// A real headless agent process (its wall clock moved by libfaketime, its monotonic clock not),
// the demo IdP, a broker, gnome-keyring. The broker is stopped once the grants are held: only the
// agent's own deadlines can wipe them (no expiry event can arrive), so a wrong clock shows.

/** Waits until the agent reports wiping `grantId`; answers how late after `deadline` (ms). */
async function lateness(agent: AgentProcess, grantId: string, deadline: number, notBefore = 0) {
  const wipe = await waitFor('the wipe', () => agent.wiped(grantId), 20_000);
  expect(wipe.trigger).toBe('deadline');
  return wipe.at - Math.max(deadline, notBefore);
}

/** Holds while nothing is wiped until shortly before `deadline` (a jump must not advance it). */
async function notWipedBefore(agent: AgentProcess, grantId: string, deadline: number) {
  await waitFor('the moment before the deadline', () => {
    expect(agent.wiped(grantId)).toBeUndefined();
    return Date.now() >= deadline - 300 ? true : undefined;
  });
}

describe('deadlines on the monotonic clock (headless agent process)', () => {
  let h: DeadlineHarness;
  beforeAll(async () => {
    if (!existsSync(LIBFAKETIME))
      throw new Error(
        `${LIBFAKETIME} is missing: apt-get install faketime (scripts/ensure-packages.sh)`,
      );
    h = await startDeadlineHarness();
  });
  afterAll(async () => h?.close());

  it('a wall clock jumping 3 h ahead, then 4 h back, neither advances nor delays a wipe', async () => {
    const faketime = join(mkdtempSync(join(tmpdir(), 'hg-faketime-')), 'offset');
    writeFileSync(faketime, '+0\n');
    const agent = await h.spawnAgent({
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: faketime,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    await signIn(agent.handlers, 'alice');
    const ahead = await requestShort(agent.handlers, 'short-a', 4);
    const back = await requestShort(agent.handlers, 'short-b', 8);
    // The prompt segment names the grant expiring first, and how many more are held.
    const statusFile = join(h.dataDir, 'status');
    await waitFor('the prompt segment', () =>
      existsSync(statusFile) && readFileSync(statusFile, 'utf8') === 'short-a <1m +1\n'
        ? true
        : undefined,
    );
    await h.stack.close();

    writeFileSync(faketime, '+3h\n');
    await notWipedBefore(agent, ahead.id, ahead.deadline);
    const lateAhead = await lateness(agent, ahead.id, ahead.deadline);
    writeFileSync(faketime, '-1h\n');
    await notWipedBefore(agent, back.id, back.deadline);
    const lateBack = await lateness(agent, back.id, back.deadline);
    process.stdout.write(
      `clock jump +3h: wiped ${lateAhead} ms after the deadline; then -4h: ${lateBack} ms after\n`,
    );
    expect(lateAhead).toBeLessThan(1000);
    expect(lateBack).toBeLessThan(1000);
    const snapshot = await agent.handlers.getSnapshot({});
    const held = snapshot.ok ? snapshot.value.grants.filter((g) => g.credentialStored) : [];
    expect(held).toEqual([]);
    await waitFor('an empty prompt segment', () =>
      readFileSync(statusFile, 'utf8') === '' ? true : undefined,
    );
  });
});

describe('deadlines across SIGSTOP/SIGCONT (headless agent process)', () => {
  let h: DeadlineHarness;
  beforeAll(async () => {
    h = await startDeadlineHarness();
  });
  afterAll(async () => h?.close());

  it('a process stopped past a deadline wipes within a second of running again', async () => {
    const agent = await h.spawnAgent();
    await signIn(agent.handlers, 'alice');
    const grant = await requestShort(agent.handlers, 'short-c', 3);
    await h.stack.close();
    process.kill(agent.pid, 'SIGSTOP');
    await waitFor('the deadline to pass', () =>
      Date.now() > grant.deadline + 1500 ? true : undefined,
    );
    expect(agent.wiped(grant.id)).toBeUndefined();
    const continuedAt = Date.now();
    process.kill(agent.pid, 'SIGCONT');
    const late = await lateness(agent, grant.id, grant.deadline, continuedAt);
    process.stdout.write(
      `SIGSTOP across the deadline: wiped ${late} ms after SIGCONT (${Date.now() - grant.deadline} ms after the deadline)\n`,
    );
    expect(late).toBeLessThan(1000);
  });
});
