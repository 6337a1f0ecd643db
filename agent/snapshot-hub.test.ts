import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentPush, AgentStatus } from '../protocol/index.ts';
import { openGrantStore } from './grant-store.ts';
import { createSnapshotHub } from './snapshot-hub.ts';
import { grantFixture, pendingGrantFixture, recordFixture } from './test-support.ts';

// Real grant store on disk; an injected clock. Pushes are collected as a subscriber sees them.
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function hubWith(loggedIn = true) {
  const store = openGrantStore(mkdtempSync(join(tmpdir(), 'hg-hub-')));
  let now = Date.parse('2030-01-01T00:00:00.000Z');
  const status = (at: string): AgentStatus => ({
    now: at,
    loggedIn,
    user: loggedIn ? { subject: 'alice', issuer: 'i', groups: [] } : null,
    brokerUrl: 'b',
    issuer: 'i',
    demo: false,
    profile: 'default',
  });
  const hub = createSnapshotHub({
    clock: { now: () => now },
    store,
    status,
    warnBeforeSeconds: [600, 120],
  });
  const pushes: AgentPush[] = [];
  hub.subscribe((p) => pushes.push(p));
  return { hub, store, pushes, advance: (ms: number) => (now += ms) };
}

describe('snapshot hub', () => {
  it('publishes one snapshot per burst of changes, with a rising version, and none when nothing changed', async () => {
    const { hub, pushes } = hubWith();
    hub.upsertBrokerGrant(grantFixture());
    hub.changed();
    hub.changed();
    await settle();
    hub.changed();
    await settle();
    const snapshots = pushes.filter((p) => p.type === 'snapshot');
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatchObject({ snapshot: { version: 1, grants: [{ id: 'g1' }] } });
  });

  it('keeps what the device holds when the broker is unreachable, marked offline', async () => {
    const { hub, store, pushes } = hubWith();
    store.upsert(recordFixture({ id: 'g1', grant: grantFixture({ id: 'g1' }) }));
    hub.setConnection('offline', 'The broker is unreachable; reconnecting');
    hub.changed();
    await settle();
    expect(pushes.filter((p) => p.type === 'snapshot').at(-1)).toMatchObject({
      type: 'snapshot',
      snapshot: {
        connection: { state: 'offline', message: 'The broker is unreachable; reconnecting' },
        grants: [{ id: 'g1', credentialStored: true }],
      },
    });
  });

  it('announces each notice once: approval, then the warning mark when the clock reaches it', async () => {
    const { hub, pushes, advance } = hubWith();
    hub.setApprovals([
      {
        kind: 'request',
        grant: pendingGrantFixture({ subject: 'carol' }),
        durationSeconds: 600,
        waitsUntil: '2030-01-01T00:30:00.000Z',
      },
    ]);
    hub.upsertBrokerGrant(grantFixture({ expiresAt: '2030-01-01T00:15:00.000Z' }));
    hub.changed();
    await settle();
    hub.changed();
    await settle();
    const kinds = () => pushes.flatMap((p) => (p.type === 'notice' ? [p.notice.kind] : []));
    expect(kinds()).toEqual(['approval_needed']);
    advance(6 * 60_000);
    hub.changed();
    await settle();
    hub.changed();
    await settle();
    expect(kinds()).toEqual(['approval_needed', 'expiring']);
  });

  it('shows nothing but the sign-in state when signed out', () => {
    const { hub, store } = hubWith(false);
    store.upsert(recordFixture({ grant: grantFixture() }));
    expect(hub.current()).toMatchObject({ connection: { state: 'signed_out' }, grants: [] });
  });
});
