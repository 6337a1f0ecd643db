/** The Notices feature: what the agent announced (warnings, expiry, approvals), shown in the page. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AgentNotice } from '../../protocol/agent-api.ts';

/** Most notices kept in the in-page list. */
export const maxNotices = 5;

/** The in-page notice list, newest first. */
export interface NoticesState {
  notices: AgentNotice[];
}

/** No notice yet. */
export function initialNotices(): NoticesState {
  return { notices: [] };
}

/** A notice arrived: shown once (by id), newest first, at most `maxNotices`. */
export function noticeReceived(state: NoticesState, notice: AgentNotice): NoticesState {
  if (state.notices.some((n) => n.id === notice.id)) return state;
  return { notices: [notice, ...state.notices].slice(0, maxNotices) };
}

/** The user dismissed a notice. */
export function noticeDismissed(state: NoticesState, id: string): NoticesState {
  return { notices: state.notices.filter((n) => n.id !== id) };
}

/** The notices store. */
export type NoticesStore = StoreApi<NoticesState>;

/** Creates the notices store. */
export function createNoticesStore(): NoticesStore {
  return createStore<NoticesState>()(initialNotices);
}
