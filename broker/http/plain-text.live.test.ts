/**
 * Terminal-escape injection through free text (issue 18, finding 4): the broker refuses control and
 * text-direction characters in every field one person writes for another to read, naming the
 * field and the character, and changes no row.
 */
import { describe, expect, it } from 'vitest';
import { useLiveBroker } from './live-checks.ts';

const live = useLiveBroker();

/** What an attacker writes: set the title, clear the screen, colour, CR, a forged line; OSC 52. */
const HOSTILE = [
  ['ESC (title, clear screen)', '\u001b]0;pwned\u0007\u001b[2J', 'U+001B'],
  ['CR (overwrite the line)', 'fine\rapproved by security', 'U+000D'],
  ['OSC 52 clipboard write', '\u001b]52;c;Y3VybCBldmlsfHNo\u0007', 'U+001B'],
  ['C1 CSI', 'ok\u009b2J', 'U+009B'],
  ['DEL', 'ok\u007f', 'U+007F'],
  ['right-to-left override', 'fix \u202eti', 'U+202E'],
  ['isolate', 'a\u2066b', 'U+2066'],
  ['left-to-right mark', 'a\u200eb', 'U+200E'],
  ['Arabic letter mark', 'a\u061cb', 'U+061C'],
] as const;

let pending: string | undefined;

/** One pending request shared by the refusals (one may wait per role); none of them changes it. */
async function pendingAdminGrant(): Promise<string> {
  if (pending !== undefined) return pending;
  const answer = await live.check.post(live.alice, '/v1/requests', {
    role: 'prod-api-admin',
    durationSeconds: 60,
    reason: 'plain reason',
    ticket: 'INC-7',
  });
  pending = live.check.grantOf(answer, 201).id;
  return pending;
}

describe("the broker refuses terminal escapes and bidi controls in free text (threat: escape injection into the other person's terminal)", () => {
  it.each(HOSTILE)('request reason with %s: 400 naming reason and %s', async (_, text, point) => {
    const id = await pendingAdminGrant();
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 60,
          reason: `INC-1 ${text}`,
        }),
      400,
      'bad_request',
      new RegExp(`reason: contains ${point.replace('+', '\\+')}`),
    );
  });

  it.each(HOSTILE)('request ticket with %s: 400 naming ticket', async (_, text, point) => {
    const id = await pendingAdminGrant();
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, '/v1/requests', {
          role: 'prod-api-admin',
          durationSeconds: 60,
          reason: 'plain reason',
          ticket: `INC-1${text}`,
        }),
      400,
      'bad_request',
      new RegExp(`ticket: contains ${point.replace('+', '\\+')}`),
    );
  });

  it('a ticket is one line: a line feed is refused there', async () => {
    const id = await pendingAdminGrant();
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, '/v1/requests', {
          role: 'prod-api-admin',
          durationSeconds: 60,
          reason: 'plain reason',
          ticket: 'INC-1\napproved by security',
        }),
      400,
      'bad_request',
      /ticket: contains U\+000A/,
    );
  });

  it.each(['deny', 'approve'] as const)(
    'a %s comment with each escape: 400 naming comment, the request stays pending',
    async (verb) => {
      const id = await pendingAdminGrant();
      for (const [, text, point] of HOSTILE)
        await live.check.refused(
          id,
          () => live.check.post(live.bob, `/v1/grants/${id}/${verb}`, { comment: `no ${text}` }),
          400,
          'bad_request',
          new RegExp(`comment: contains ${point.replace('+', '\\+')}`),
        );
    },
  );

  it('a revoke reason and a wipe receipt item with an escape: 400 naming the field', async () => {
    const id = await pendingAdminGrant();
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/revoke`, { reason: 'x\u001b[31m' }),
      400,
      'bad_request',
      /reason: contains U\+001B/,
    );
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, `/v1/grants/${id}/wiped`, {
          wipedAt: new Date().toISOString(),
          trigger: 'done',
          items: ['keychain\u001b[2J'],
        }),
      400,
      'bad_request',
      /items\.0: contains U\+001B/,
    );
  });

  it('plain text with tabs and line breaks in a reason and a comment still works', async () => {
    const id = await pendingAdminGrant();
    const denied = live.check.grantOf(
      await live.check.post(live.bob, `/v1/grants/${id}/deny`, {
        comment: 'not now:\tsee\nthe runbook — ça va, 東京',
      }),
    );
    expect(denied.status).toBe('denied');
    expect(denied.endReason).toBe('not now:\tsee\nthe runbook — ça va, 東京');
  });
});
