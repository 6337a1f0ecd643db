/** Writes a signed checkpoint of the audit chain head every interval, and once more at shutdown. */
import type { SigningKey } from '../credentials/signing-key.ts';
import type { Clock } from '../ports.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import { signCheckpoint } from './checkpoint.ts';

/** A running checkpoint writer. */
export interface CheckpointWriter {
  /** Signs the current head now (if it moved since the last checkpoint). */
  checkpoint(): Promise<void>;
  stop(): void;
}

/** Starts the writer; failures go to `onError` and the next interval tries again. */
export function startCheckpointWriter(deps: {
  repo: GrantRepository;
  key: SigningKey;
  clock: Clock;
  intervalMs: number;
  onError: (error: unknown) => void;
}): CheckpointWriter {
  const checkpoint = async (): Promise<void> => {
    await deps.repo.appendCheckpoint(deps.clock.now(), deps.key.kid, (payload) =>
      signCheckpoint(payload, deps.key),
    );
  };
  const timer = setInterval(() => {
    checkpoint().catch(deps.onError);
  }, deps.intervalMs);
  timer.unref();
  return { checkpoint, stop: () => clearInterval(timer) };
}
