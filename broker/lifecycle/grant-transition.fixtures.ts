/** Shared fixtures of the transition table tests: a policy, actors and grants in each state. */
import { expect } from 'vitest';
import { testPolicy, testUser } from '../test-support.ts';
import type { GrantRecord } from './grant-record.ts';
import { transition } from './grant-transition.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { Actor, GrantCommand, Transitioned, UserActor } from './transition-types.ts';

/** Test fixture. */
export const policy = testPolicy(`
tenant: t
admins: { groups: [sre-leads] }
roles:
  - name: ro
    provider: { kind: jwt, audience: a }
    eligible: { groups: [eng] }
    maxDuration: 1h
    extension: { maxCount: 2, maxTotal: 90m }
  - name: admin
    provider: { kind: jwt, audience: a }
    eligible: { groups: [eng] }
    maxDuration: 30m
    approval: { required: 2, from: [approvers], requestTtl: 10m }
  - name: gated
    provider: { kind: jwt, audience: a }
    eligible: { groups: [eng] }
    maxDuration: 30m
    approval: { required: 1, from: [approvers] }
    extension: { requireApproval: true }
`);

/** Test fixture. */
export const t0 = new Date('2030-01-01T00:00:00Z');
/** Test fixture. */
export const at = (s: number) => new Date(t0.getTime() + s * 1000);
/** Test fixture. */
export const iso = (s: number) => at(s).toISOString();
/** Test fixture. */
export const alice = testUser('alice', ['eng'], 'Alice');
/** Test fixture. */
export const bob = testUser('bob', ['eng', 'approvers'], 'Bob');
/** Test fixture. */
export const dave = testUser('dave', ['approvers'], 'Dave');
/** Test fixture. */
export const carol = testUser('carol', ['auditors']);
/** Test fixture. */
export const erin = testUser('erin', ['sre-leads']);
/** The broker as actor. */
export const broker: Actor = { kind: 'broker' };

/** Applies a command that must succeed. */
export function step(
  grant: GrantRecord | null,
  command: GrantCommand,
  actor: Actor,
  now: Date,
): Transitioned {
  const result = transition(grant, command, policy, actor, now);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A request by alice (by default) at t0. */
export function request(
  role: string,
  seconds: number,
  now = t0,
  actor: UserActor = alice,
  live: GrantRecord | null = null,
): Transitioned {
  return step(
    null,
    {
      kind: 'request',
      id: `g-${role}`,
      tenant: 't',
      body: { role, durationSeconds: seconds, reason: 'on call' },
      idempotencyKey: null,
      live,
    },
    actor,
    now,
  );
}

/** Test fixture. */
export const active = (seconds = 600) => request('ro', seconds).grant;
/** Test fixture. */
export const pending = () => request('admin', 900).grant;
/** Test fixture. */
export const approvedOnce = () =>
  step(pending(), { kind: 'approve', comment: null }, bob, at(10)).grant;
/** Test fixture. */
export const gatedActive = () =>
  step(request('gated', 600).grant, { kind: 'approve', comment: null }, bob, t0).grant;
/** Test fixture. */
export const extensionWaiting = () =>
  step(gatedActive(), { kind: 'extend', durationSeconds: 900 }, alice, at(60)).grant;

/** One refusal row: name, grant setup, command, actor, now, expected code and message. */
export type Refusal = [string, () => GrantRecord, GrantCommand, Actor, Date, ErrorCode, RegExp];

/** Commands used by the refusal tables. */
export const commands = {
  approve: { kind: 'approve', comment: null } as GrantCommand,
  deny: { kind: 'deny', comment: null } as GrantCommand,
  extend: (durationSeconds: number): GrantCommand => ({ kind: 'extend', durationSeconds }),
  revoke: { kind: 'revoke', reason: null } as GrantCommand,
  receipt: {
    kind: 'recordWipe',
    receipt: { wipedAt: iso(0), trigger: 'done', items: [] },
  } as GrantCommand,
};

/** Applies a refusal row: the code and message match, and the grant is untouched. */
export function expectRefused(...[, setup, command, actor, now, code, message]: Refusal): void {
  const grant = setup();
  const before = structuredClone(grant);
  const result = transition(grant, command, policy, actor, now);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).toMatch(message);
  expect(grant).toEqual(before);
}
