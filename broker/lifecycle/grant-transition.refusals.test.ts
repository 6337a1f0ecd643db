import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/errors.ts';
import { transition } from './grant-transition.ts';
import type { GrantRecord } from './grant-record.ts';
import type { Actor, GrantCommand } from './transition-types.ts';
import {
  active,
  alice,
  approvedOnce,
  at,
  bob,
  broker,
  carol,
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

type Refusal = [string, () => GrantRecord, GrantCommand, Actor, Date, ErrorCode, RegExp];

describe('every refused transition names its rule', () => {
  const approve: GrantCommand = { kind: 'approve', comment: null };
  const deny: GrantCommand = { kind: 'deny', comment: null };
  const extend = (durationSeconds: number): GrantCommand => ({ kind: 'extend', durationSeconds });
  const revoke: GrantCommand = { kind: 'revoke', reason: null };
  const receipt: GrantCommand = {
    kind: 'recordWipe',
    receipt: { wipedAt: iso(0), trigger: 'done', items: [] },
  };
  const table: Refusal[] = [
    [
      'requester approves own request',
      pending,
      approve,
      alice,
      at(1),
      'not_approver',
      /own request/,
    ],
    [
      'requester who is also an approver approves own request',
      () => request('admin', 900, t0, bob).grant,
      approve,
      bob,
      at(1),
      'not_approver',
      /own request/,
    ],
    [
      'a non-approver approves (someone else: no existence leak)',
      pending,
      approve,
      carol,
      at(1),
      'not_found',
      /no such grant/,
    ],
    [
      'an admin who is no approver approves',
      pending,
      approve,
      erin,
      at(1),
      'not_approver',
      /only members of approvers/,
    ],
    [
      'the same approver approves twice',
      approvedOnce,
      approve,
      bob,
      at(20),
      'invalid_state',
      /already approved.*counts once/,
    ],
    [
      'approve after the request TTL',
      pending,
      approve,
      bob,
      at(600),
      'invalid_state',
      /is expired/,
    ],
    [
      'approve an active grant without a waiting extension',
      gatedActive,
      approve,
      bob,
      at(1),
      'invalid_state',
      /is active; there is nothing waiting to approve/,
    ],
    [
      'approve a denied request',
      () => step(pending(), deny, bob, at(1)).grant,
      approve,
      dave,
      at(2),
      'invalid_state',
      /is denied/,
    ],
    ['the requester denies own request', pending, deny, alice, at(1), 'not_approver', /cancel/],
    [
      'deny a cancelled request',
      () => step(pending(), { kind: 'cancel' }, alice, at(1)).grant,
      deny,
      bob,
      at(2),
      'invalid_state',
      /is cancelled/,
    ],
    [
      'an approver cancels',
      pending,
      { kind: 'cancel' },
      bob,
      at(1),
      'forbidden',
      /only the requester/,
    ],
    [
      'cancel an active grant',
      active,
      { kind: 'cancel' },
      alice,
      at(1),
      'invalid_state',
      /is active.*revoke/,
    ],
    ['a stranger cancels', pending, { kind: 'cancel' }, carol, at(1), 'not_found', /no such grant/],
    ['extend a pending request', pending, extend(60), alice, at(1), 'invalid_state', /is pending/],
    ['extend an expired grant', active, extend(60), alice, at(600), 'invalid_state', /is expired/],
    [
      'extend a revoked grant',
      () => step(active(), revoke, alice, at(1)).grant,
      extend(60),
      alice,
      at(2),
      'invalid_state',
      /is revoked/,
    ],
    [
      'extend a denied request',
      () => step(pending(), deny, bob, at(1)).grant,
      extend(60),
      alice,
      at(2),
      'invalid_state',
      /is denied/,
    ],
    [
      'extend a cancelled request',
      () => step(pending(), { kind: 'cancel' }, alice, at(1)).grant,
      extend(60),
      alice,
      at(2),
      'invalid_state',
      /is cancelled/,
    ],
    [
      'extend beyond the role max per extension',
      active,
      extend(3601),
      alice,
      at(1),
      'policy_violation',
      /at most 1h/,
    ],
    [
      'extend beyond the count budget',
      () => step(step(active(), extend(700), alice, at(1)).grant, extend(800), alice, at(2)).grant,
      extend(900),
      alice,
      at(3),
      'budget_exhausted',
      /all 2 extension/,
    ],
    [
      'extend beyond the time budget',
      () => step(active(), extend(3600), alice, at(1)).grant,
      extend(3600),
      alice,
      at(2),
      'budget_exhausted',
      /30m \(1800s\) of extension time left/,
    ],
    [
      'extend to less than what is left',
      active,
      extend(60),
      alice,
      at(1),
      'policy_violation',
      /counts from now/,
    ],
    [
      'extend after the session ended',
      active,
      extend(900),
      { ...alice, sessionEndsAt: at(0) },
      at(1),
      'unauthenticated',
      /hourglass login/,
    ],
    [
      'an approver extends someone else’s grant',
      active,
      extend(900),
      bob,
      at(1),
      'not_found',
      /no such grant/,
    ],
    [
      'extend while an extension waits',
      extensionWaiting,
      extend(900),
      alice,
      at(61),
      'invalid_state',
      /already waits for approval/,
    ],
    ['a stranger revokes', active, revoke, carol, at(1), 'not_found', /no such grant/],
    [
      'revoke a pending request',
      pending,
      revoke,
      alice,
      at(1),
      'invalid_state',
      /is pending.*cancelled by its requester/,
    ],
    ['revoke an expired grant', active, revoke, alice, at(600), 'invalid_state', /is expired/],
    [
      'a user expires a grant',
      active,
      { kind: 'expire' },
      alice,
      at(600),
      'forbidden',
      /only the broker/,
    ],
    [
      'the broker expires before the deadline',
      active,
      { kind: 'expire' },
      broker,
      at(599),
      'invalid_state',
      /nothing about it is due/,
    ],
    ['the broker revokes', active, revoke, broker, at(1), 'forbidden', /does not revoke/],
    [
      'a wipe receipt for a pending request',
      pending,
      receipt,
      alice,
      at(1),
      'invalid_state',
      /is pending/,
    ],
    ['a wipe receipt from an approver', active, receipt, bob, at(1), 'not_found', /no such grant/],
    ['a wipe receipt from an admin', active, receipt, erin, at(1), 'forbidden', /only the device/],
    [
      'a wipe receipt from the future',
      active,
      { kind: 'recordWipe', receipt: { wipedAt: iso(3600), trigger: 'done', items: [] } },
      alice,
      at(1),
      'bad_request',
      /future/,
    ],
    [
      'a credential for a pending request',
      pending,
      { kind: 'issueCredential', tokenId: 'j' },
      alice,
      at(1),
      'grant_not_active',
      /is pending/,
    ],
    [
      'a credential for an expired grant',
      active,
      { kind: 'issueCredential', tokenId: 'j' },
      alice,
      at(600),
      'grant_not_active',
      /is expired/,
    ],
    [
      'a credential for someone else',
      active,
      { kind: 'issueCredential', tokenId: 'j' },
      erin,
      at(1),
      'forbidden',
      /only the owner/,
    ],
  ];

  it.each(table)('%s', (_name, setup, command, actor, now, code, message) => {
    const grant = setup();
    const before = structuredClone(grant);
    const result = transition(grant, command, policy, actor, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message).toMatch(message);
    expect(grant).toEqual(before);
  });

  it('an unknown grant is not_found', () => {
    expect(transition(null, { kind: 'cancel' }, policy, alice, t0)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
