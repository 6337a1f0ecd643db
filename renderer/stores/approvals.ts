/** The Approvals feature: requests and extensions waiting for this user's decision. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LocalGrant } from '../../protocol/agent-api.ts';
import type { PendingApproval } from '../../protocol/broker-api.ts';
import type { Failure } from '../../protocol/result.ts';

/** What the Approvals view shows. */
export interface ApprovalsState {
  approvals: PendingApproval[];
  error: string | null;
}

/** Nothing waiting. */
export function initialApprovals(): ApprovalsState {
  return { approvals: [], error: null };
}

/** A snapshot carried the inbox: it is the whole truth. */
export function approvalsPushed(
  state: ApprovalsState,
  approvals: PendingApproval[],
): ApprovalsState {
  return { ...state, approvals };
}

/**
 * Approve or deny answered with the grant: once it no longer waits, its entry leaves the inbox
 * (unless a pushed snapshot `overtook` the answer, whose view then stands).
 */
export function approvalDecided(
  state: ApprovalsState,
  grant: LocalGrant,
  overtaken: boolean,
): ApprovalsState {
  if (overtaken || grant.status === 'pending') return { ...state, error: null };
  return { approvals: state.approvals.filter((a) => a.grant.id !== grant.id), error: null };
}

/** A decision failed: its message shows in the inbox. */
export function approvalsFailed(state: ApprovalsState, failure: Failure): ApprovalsState {
  return { ...state, error: failure.message };
}

/** The approvals store. */
export type ApprovalsStore = StoreApi<ApprovalsState>;

/** Creates the approvals store. */
export function createApprovalsStore(): ApprovalsStore {
  return createStore<ApprovalsState>()(initialApprovals);
}
