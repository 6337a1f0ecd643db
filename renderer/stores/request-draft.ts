/**
 * The Request feature's draft: what the user typed, kept while they look at other views (the form
 * is only mounted in Request), and which link pre-fill it has taken.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RequestDraft } from '../request-form.logic.ts';
import { draftPrefilled, type RequestPrefill } from '../request-prefill.logic.ts';

/** The draft and the number of the last pre-fill applied to it. */
export interface RequestDraftState {
  draft: RequestDraft;
  prefillsTaken: number;
}

/** An empty form: no role chosen yet (the form proposes one), 15 minutes. */
export function initialRequestDraft(): RequestDraftState {
  return { draft: { role: '', duration: '15m', reason: '', ticket: '' }, prefillsTaken: 0 };
}

/** The user changed one field. */
export function draftEdited(
  state: RequestDraftState,
  field: keyof RequestDraft,
  value: string,
): RequestDraftState {
  return { ...state, draft: { ...state.draft, [field]: value } };
}

/**
 * Pre-fill number `count` (a tray preset or link) arrived: applied once, so coming back to the
 * form does not undo what the user changed since.
 */
export function prefillTaken(
  state: RequestDraftState,
  prefill: RequestPrefill,
  count: number,
): RequestDraftState {
  if (count <= state.prefillsTaken) return state;
  return { draft: draftPrefilled(state.draft, prefill), prefillsTaken: count };
}

/** The request was accepted: the role and duration stay for the next one, reason and ticket go. */
export function draftSent(state: RequestDraftState): RequestDraftState {
  return { ...state, draft: { ...state.draft, reason: '', ticket: '' } };
}

/** The draft store. */
export type RequestDraftStore = StoreApi<RequestDraftState>;

/** Creates the draft store, empty. */
export function createRequestDraftStore(): RequestDraftStore {
  return createStore<RequestDraftState>()(initialRequestDraft);
}

/** The part of the view store the draft follows. */
interface PrefillSource {
  getState(): { prefill: RequestPrefill | null; prefillCount: number };
  subscribe(
    listener: (state: { prefill: RequestPrefill | null; prefillCount: number }) => void,
  ): () => void;
}

/** Applies each pre-fill the view store receives (and the one it opened with) to the draft. */
export function followPrefills(views: PrefillSource, drafts: RequestDraftStore): () => void {
  const take = (s: { prefill: RequestPrefill | null; prefillCount: number }) => {
    const { prefill } = s;
    if (prefill) drafts.setState((d) => prefillTaken(d, prefill, s.prefillCount), true);
  };
  take(views.getState());
  return views.subscribe(take);
}
