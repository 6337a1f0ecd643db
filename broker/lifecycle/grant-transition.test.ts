import { describe, expect, it } from 'vitest';
import { deadlineOf } from './grant-record.ts';
import { toGrantView } from './grant-view.ts';
import { transition } from './grant-transition.ts';
import {
  active,
  alice,
  approvedOnce,
  at,
  bob,
  broker,
  dave,
  erin,
  extensionWaiting,
  gatedActive,
  iso,
  pending,
  policy,
  request,
  step,
  t0,
} from './grant-transition.fixtures.ts';

describe('request', () => {
  it('a no-approval role is active at once, for min(requested, role max, session)', () => {
    const { grant, audit, effects, events } = request('ro', 600);
    expect(grant).toMatchObject({ status: 'active', grantedSeconds: 600, expiresAt: iso(600) });
    expect(audit.map((a) => a.event)).toEqual(['requested', 'activated']);
    expect(effects).toEqual([{ kind: 'provider', action: 'issue', grantId: 'g-ro' }]);
    expect(events).toEqual([{ change: 'activated', audience: { kind: 'owner' } }]);
    const capped = request('ro', 3600, t0, { ...alice, sessionEndsAt: at(300) }).grant;
    expect(capped).toMatchObject({
      grantedSeconds: 300,
      expiresAt: iso(300),
      sessionEndsAt: iso(300),
    });
  });

  it('an approval role waits, with its request TTL, and tells approvers', () => {
    const { grant, effects, events } = request('admin', 900);
    expect(grant).toMatchObject({
      status: 'pending',
      expiresAt: null,
      requestExpiresAt: iso(600),
      approvalsRequired: 2,
      approverGroups: ['approvers'],
      requesterName: 'Alice',
    });
    expect(effects).toEqual([]);
    expect(events.map((e) => e.change)).toEqual(['requested', 'approval_needed']);
    expect(events[1]?.audience).toEqual({ kind: 'approver', groups: ['approvers'] });
  });

  it('a second request for a role held active is already_active, naming grant, deadline and time left', () => {
    const live = active();
    const result = transition(
      null,
      {
        kind: 'request',
        id: 'x',
        tenant: 't',
        body: { role: 'ro', durationSeconds: 60, reason: 'r' },
        idempotencyKey: null,
        live,
      },
      policy,
      alice,
      at(60),
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'already_active',
        message: expect.stringMatching(/g-ro.*9m.*hourglass extend ro/) as string,
        grantId: 'g-ro',
        expiresAt: iso(600),
      },
    });
  });

  it('a second request while one is pending is a conflict naming it; policy errors come first', () => {
    const live = pending();
    const ask = (durationSeconds: number) =>
      transition(
        null,
        {
          kind: 'request',
          id: 'x',
          tenant: 't',
          body: { role: 'admin', durationSeconds, reason: 'r' },
          idempotencyKey: null,
          live,
        },
        policy,
        alice,
        t0,
      );
    expect(ask(60)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/g-admin.*cancel/) as string },
    });
    expect(ask(7200)).toMatchObject({ ok: false, error: { code: 'policy_violation' } });
  });

  it('the broker itself never requests', () => {
    expect(
      transition(
        null,
        {
          kind: 'request',
          id: 'x',
          tenant: 't',
          body: { role: 'ro', durationSeconds: 1, reason: 'r' },
          idempotencyKey: null,
          live: null,
        },
        policy,
        broker,
        t0,
      ),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('approve and deny', () => {
  it('each approver counts once; the last needed approval activates from then', () => {
    const once = step(pending(), { kind: 'approve', comment: 'ok' }, bob, at(10));
    expect(once.grant.status).toBe('pending');
    expect(once.grant.approvals).toEqual([
      { by: 'https://idp#bob', byName: 'Bob', at: iso(10), comment: 'ok' },
    ]);
    expect(once.effects).toEqual([]);
    const twice = step(once.grant, { kind: 'approve', comment: null }, dave, at(20));
    expect(twice.grant).toMatchObject({
      status: 'active',
      activatedAt: iso(20),
      expiresAt: iso(920),
      requestExpiresAt: null,
    });
    expect(twice.audit.map((a) => a.event)).toEqual(['approved', 'activated']);
    expect(twice.effects).toEqual([{ kind: 'provider', action: 'issue', grantId: 'g-admin' }]);
    expect(twice.events.map((e) => e.change)).toEqual(['approved', 'approved']);
  });

  it('activation is capped by the requester session end', () => {
    const g = request('admin', 900, t0, { ...alice, sessionEndsAt: at(700) }).grant;
    const a = step(g, { kind: 'approve', comment: null }, bob, at(10)).grant;
    const b = step(a, { kind: 'approve', comment: null }, dave, at(100)).grant;
    expect(b).toMatchObject({ expiresAt: iso(700), grantedSeconds: 600 });
  });

  it('a deny by any approver ends the request, the comment shown to the requester', () => {
    const { grant, audit, events } = step(
      approvedOnce(),
      { kind: 'deny', comment: 'not now' },
      dave,
      at(30),
    );
    expect(grant).toMatchObject({
      status: 'denied',
      endedAt: iso(30),
      endedBy: 'https://idp#dave',
      endReason: 'not now',
    });
    expect(audit.map((a) => a.event)).toEqual(['denied']);
    expect(events.map((e) => e.change)).toEqual(['denied', 'denied']);
    expect(deadlineOf(grant)).toBeNull();
  });

  it('approves and denies a waiting extension; the grant keeps running meanwhile', () => {
    const waiting = extensionWaiting();
    expect(waiting).toMatchObject({ status: 'active', expiresAt: iso(600) });
    expect(waiting.pendingExtension).toEqual({
      durationSeconds: 900,
      requestedAt: iso(60),
      expiresAt: iso(600),
      approvals: [],
    });
    const approved = step(waiting, { kind: 'approve', comment: null }, dave, at(120));
    expect(approved.grant).toMatchObject({
      expiresAt: iso(1020),
      pendingExtension: null,
      extensionCount: 1,
      extensionSeconds: 420,
    });
    expect(approved.effects).toEqual([{ kind: 'provider', action: 'reissue', grantId: 'g-gated' }]);
    expect(approved.events.map((e) => e.change)).toEqual(['extended', 'extended']);
    const denied = step(waiting, { kind: 'deny', comment: 'no' }, dave, at(120));
    expect(denied.grant).toMatchObject({
      status: 'active',
      expiresAt: iso(600),
      pendingExtension: null,
      extensionCount: 0,
    });
    expect(denied.audit.map((a) => a.event)).toEqual(['extension_denied']);
  });
});

describe('budget drain: an extension is charged with how far the deadline actually moved', () => {
  // [name, deadline left at `now`, asked, sign-in left, expected new deadline, expected charge]
  const rows: [string, number, number, number | null, number, number][] = [
    ['10m left, 30m from now: moves 20m', 600, 1800, null, 1800, 1200],
    ['1m left, 15m from now: moves 14m', 60, 900, null, 900, 840],
    ['10m left, sign-in ends in 15m: moves 5m', 600, 1800, 900, 900, 300],
  ];
  it.each(rows)('%s', (_name, left, asked, session, deadline, charged) => {
    const now = at(1000);
    const grant = { ...active(1000 + left), extensionSeconds: 0 };
    const actor = session === null ? alice : { ...alice, sessionEndsAt: at(1000 + session) };
    const one = step(grant, { kind: 'extend', durationSeconds: asked }, actor, now);
    expect(one.grant).toMatchObject({
      expiresAt: iso(1000 + deadline),
      extensionCount: 1,
      extensionSeconds: charged,
    });
    expect(one.audit[0]?.details).toMatchObject({ moved: charged });
  });

  it('an approved extension is charged with the move at approval, within the budget left', () => {
    const waiting = { ...extensionWaiting(), extensionSeconds: 0 };
    // Asked at 60 for 900s from then; approved at 120: the deadline moves from 600 to 1020.
    const approved = step(waiting, { kind: 'approve', comment: null }, dave, at(120));
    expect(approved.grant).toMatchObject({ expiresAt: iso(1020), extensionSeconds: 420 });
  });
});

describe('cancel, extend, revoke, expire, wipe', () => {
  it('the requester cancels a pending request', () => {
    const { grant, events } = step(pending(), { kind: 'cancel' }, alice, at(5));
    expect(grant).toMatchObject({
      status: 'cancelled',
      endedAt: iso(5),
      endedBy: 'https://idp#alice',
    });
    expect(events.map((e) => e.change)).toEqual(['cancelled', 'cancelled']);
  });

  it('extend counts from now, within the per-extension max and the budget', () => {
    const one = step(active(600), { kind: 'extend', durationSeconds: 1800 }, alice, at(300));
    expect(one.grant).toMatchObject({
      expiresAt: iso(2100),
      extensionCount: 1,
      extensionSeconds: 1500,
    });
    expect(one.effects).toEqual([{ kind: 'provider', action: 'reissue', grantId: 'g-ro' }]);
    const view = toGrantView(one.grant, { policy, now: at(300), wipeGraceSeconds: 120 });
    expect(view.extension).toEqual({
      usedCount: 1,
      usedSeconds: 1500,
      remainingCount: 1,
      remainingSeconds: 3900,
      maxEachSeconds: 3600,
      requiresApproval: false,
    });
    const capped = step(
      active(600),
      { kind: 'extend', durationSeconds: 1800 },
      { ...alice, sessionEndsAt: at(1000) },
      at(300),
    );
    expect(capped.grant).toMatchObject({ expiresAt: iso(1000), extensionSeconds: 400 });
  });

  it('revoke by the owner records unused time; by an approver or an admin too', () => {
    const done = step(active(600), { kind: 'revoke', reason: null }, alice, at(100));
    expect(done.grant).toMatchObject({
      status: 'revoked',
      unusedSeconds: 500,
      endedBy: 'https://idp#alice',
      endedAt: iso(100),
    });
    expect(done.audit).toEqual([
      {
        event: 'revoked',
        actor: 'https://idp#alice',
        details: { by: 'owner', reason: null, unusedSeconds: 500 },
      },
    ]);
    expect(done.effects).toEqual([{ kind: 'provider', action: 'revoke', grantId: 'g-ro' }]);
    const admin = request('admin', 900).grant;
    const live = step(
      step(admin, { kind: 'approve', comment: null }, bob, t0).grant,
      { kind: 'approve', comment: null },
      dave,
      t0,
    ).grant;
    expect(
      step(live, { kind: 'revoke', reason: 'incident over' }, bob, at(60)).grant,
    ).toMatchObject({ status: 'revoked', endReason: 'incident over', endedBy: 'https://idp#bob' });
    const byAdmin = step(active(), { kind: 'revoke', reason: 'audit' }, erin, at(60));
    expect(byAdmin.audit[0]?.details).toMatchObject({ by: 'admin' });
    expect(byAdmin.events[1]?.audience).toEqual({ kind: 'approver', groups: ['sre-leads'] });
  });

  it('the broker expires at the deadline, a request at its TTL, and drops a lapsed extension', () => {
    const expired = step(active(600), { kind: 'expire' }, broker, at(600));
    expect(expired.grant).toMatchObject({ status: 'expired', endedAt: iso(600) });
    expect(expired.audit[0]?.details).toEqual({ deadline: iso(600), was: 'active' });
    expect(expired.effects).toEqual([{ kind: 'provider', action: 'revoke', grantId: 'g-ro' }]);
    const lapsed = step(pending(), { kind: 'expire' }, broker, at(600));
    expect(lapsed.grant).toMatchObject({ status: 'expired', endedAt: iso(600) });
    expect(lapsed.effects).toEqual([]);
    const waiting = step(gatedActive(), { kind: 'extend', durationSeconds: 900 }, alice, at(0));
    expect(deadlineOf(waiting.grant)).toBe(iso(600));
    const g = {
      ...waiting.grant,
      pendingExtension: { ...waiting.grant.pendingExtension!, expiresAt: iso(300) },
    };
    expect(deadlineOf(g)).toBe(iso(300));
    const dropped = step(g, { kind: 'expire' }, broker, at(300));
    expect(dropped.grant).toMatchObject({ status: 'active', pendingExtension: null });
    expect(dropped.audit.map((a) => a.event)).toEqual(['extension_lapsed']);
  });
});
