import { describe, expect, it } from 'vitest';
import { aNotice } from '../renderer/test-fixtures.ts';
import { grantUrl, noticeView } from './notice-view.ts';

describe('noticeView', () => {
  it('keeps the text and marks expiry warnings and approval requests critical', () => {
    expect(noticeView(aNotice())).toEqual({
      title: 'prod-api-admin ends in 2 minutes',
      body: 'Extend it if you still need it.',
      urgency: 'critical',
    });
    expect(noticeView(aNotice({ kind: 'wiped' })).urgency).toBe('normal');
    expect(noticeView(aNotice({ kind: 'approval_needed' })).urgency).toBe('critical');
  });

  it('opens the window on the grant', () => {
    expect(grantUrl('app://hourglass', 'g_1-x')).toBe('app://hourglass/index.html#grant=g_1-x');
  });
});
