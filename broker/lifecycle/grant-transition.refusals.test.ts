import { describe, expect, it } from 'vitest';
import { transition } from './grant-transition.ts';
import {
  active,
  alice,
  approvedOnce,
  at,
  bob,
  carol,
  commands,
  dave,
  erin,
  expectRefused,
  gatedActive,
  pending,
  policy,
  request,
  step,
  t0,
  type Refusal,
} from './grant-transition.fixtures.ts';

const { approve, deny } = commands;

describe('refused requests and decisions name their rule', () => {
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
  ];

  it.each(table)('%s', (...row) => expectRefused(...row));

  it('an unknown grant is not_found', () => {
    expect(transition(null, { kind: 'cancel' }, policy, alice, t0)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
