/**
 * The ticking clock, a store of its own: only countdown elements subscribe to it, so a tick
 * re-renders the digits and the ring, never the lists around them.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';

/** The local clock, advanced once a second. */
export interface ClockState {
  nowMs: number;
}

/** Pure transition: the clock ticked. */
export function clockTicked(state: ClockState, nowMs: number): ClockState {
  return nowMs === state.nowMs ? state : { nowMs };
}

/** The clock store. */
export type ClockStore = StoreApi<ClockState>;

/** Creates the clock store at `nowMs`. */
export function createClockStore(nowMs: number): ClockStore {
  return createStore<ClockState>()(() => ({ nowMs }));
}

/** Ticks `store` from `clock` once a second; answers the stop function. */
export function startClock(store: ClockStore, clock: () => number = Date.now): () => void {
  const timer = setInterval(() => store.setState((s) => clockTicked(s, clock())), 1000);
  return () => clearInterval(timer);
}
