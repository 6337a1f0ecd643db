import { describe, expect, it } from 'vitest';
import { createViewStore, fragmentChanged } from '../view-store.ts';
import {
  createRequestDraftStore,
  draftEdited,
  draftSent,
  followPrefills,
  initialRequestDraft,
  prefillTaken,
} from './request-draft.ts';

describe('request draft', () => {
  it('keeps edits; a sent request clears reason and ticket but keeps role and duration', () => {
    let s = draftEdited(initialRequestDraft(), 'role', 'db');
    s = draftEdited(s, 'reason', 'INC-1');
    s = draftEdited(s, 'ticket', 'INC-1');
    expect(draftSent(s).draft).toEqual({ role: 'db', duration: '15m', reason: '', ticket: '' });
  });

  it('takes each pre-fill once: edits made after it survive coming back to the form', () => {
    let s = prefillTaken(initialRequestDraft(), { role: 'db', reason: 'from link' }, 1);
    expect(s.draft).toMatchObject({ role: 'db', reason: 'from link' });
    s = draftEdited(s, 'reason', 'edited');
    expect(prefillTaken(s, { role: 'db', reason: 'from link' }, 1)).toBe(s);
    expect(prefillTaken(s, { role: 'db', reason: 'again' }, 2).draft.reason).toBe('again');
  });

  it('follows the view store: the pre-fill the window opened with, then each new link', () => {
    const views = createViewStore('#request=db&reason=first');
    const drafts = createRequestDraftStore();
    const stop = followPrefills(views, drafts);
    expect(drafts.getState().draft).toMatchObject({ role: 'db', reason: 'first' });
    views.setState((s) => fragmentChanged(s, '#/roles'), true);
    expect(drafts.getState().draft.reason).toBe('first');
    views.setState((s) => fragmentChanged(s, '#request=api&for=30m'), true);
    expect(drafts.getState().draft).toMatchObject({
      role: 'api',
      duration: '30m',
      reason: 'first',
    });
    stop();
  });
});
