/** A countdown to a deadline on the broker's clock; the only element that re-renders each second. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { formatCountdown } from '../../protocol/duration.ts';
import type { ClockStore } from '../clock-store.ts';
import { remainingSeconds } from '../grant-clock.logic.ts';
import { useSession } from '../store-context.tsx';

/** Context carrying the clock store. */
export const ClockContext = createContext<ClockStore | null>(null);

function useNow(): number {
  const store = useContext(ClockContext);
  if (!store) throw new Error('Countdown needs a ClockContext provider');
  return useStore(store, (s) => s.nowMs);
}

/** Props of a countdown. */
interface CountdownProps {
  deadline: string;
  /** What counts down, for screen readers ("prod-db expires in"). */
  label: string;
  testId?: string;
  /** With the full length, draws the ring of time left. */
  totalSeconds?: number;
}

/** `M:SS` left to `deadline`, optionally inside a ring. */
export function Countdown({ deadline, label, testId, totalSeconds }: CountdownProps) {
  const nowMs = useNow();
  const offsetMs = useSession((s) => s.offsetMs);
  const left = remainingSeconds(deadline, nowMs, offsetMs);
  const text = formatCountdown(left);
  if (totalSeconds === undefined) {
    return (
      <span className="countdown" data-testid={testId} aria-label={label}>
        {text}
      </span>
    );
  }
  const fraction = totalSeconds > 0 ? Math.min(1, left / totalSeconds) : 0;
  const circumference = 2 * Math.PI * 16;
  return (
    <span className="countdown-ring" role="timer" aria-label={`${label} ${text}`}>
      <svg viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">
        <circle className="ring-track" cx="20" cy="20" r="16" />
        <circle
          className={fraction < 0.1 ? 'ring-left ring-low' : 'ring-left'}
          cx="20"
          cy="20"
          r="16"
          strokeDasharray={`${circumference * fraction} ${circumference}`}
          transform="rotate(-90 20 20)"
        />
      </svg>
      <span className="countdown" data-testid={testId}>
        {text}
      </span>
    </span>
  );
}
