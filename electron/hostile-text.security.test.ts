import { describe, expect, it } from 'vitest';
import { aGrant } from '../protocol/test-fixtures.ts';
import { noticeView } from './notice-view.ts';
import { approvalsSection } from './tray-menu-sections.ts';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\rapproved\u009b\u202eexe.txt';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('tray and notifications show broker text inert (threat: escape and bidi injection, issue 18 finding 4)', () => {
  it('an approval submenu with a hostile requester name and reason', () => {
    const grant = aGrant({
      status: 'pending',
      requesterName: `Mallory${HOSTILE}`,
      reason: HOSTILE,
    });
    const menu = JSON.stringify(
      approvalsSection([
        { kind: 'request', grant, durationSeconds: 600, waitsUntil: grant.createdAt },
      ]),
    );
    const labels = (menu.match(/"label":"(?:[^"\\]|\\.)*"/g) ?? []).map(
      (l) => JSON.parse(`{${l}}`) as { label: string },
    );
    expect(labels.some((l) => l.label.includes('\\x1b]0;pwned'))).toBe(true);
    for (const { label } of labels) expect(label).not.toMatch(RAW);
  });

  it('a notification with a hostile title and body', () => {
    const view = noticeView({
      id: 'n1',
      kind: 'denied',
      grantId: 'g1',
      role: 'prod-api-admin',
      title: `Denied by ${HOSTILE}`,
      body: HOSTILE,
      actions: [],
      at: '2030-01-01T00:00:00.000Z',
    });
    expect(view.title).not.toMatch(RAW);
    expect(view.body).not.toMatch(RAW);
    expect(view.body).toContain('\\u202eexe.txt');
  });
});
