/** Power events: after sleep or unlock the agent rechecks deadlines; optionally wipe on lock. */
import type { AgentHandlers } from '../protocol/index.ts';
import { appLog } from './app-log.ts';

type PowerEvent = 'resume' | 'unlock-screen' | 'lock-screen';

/** The part of `powerMonitor` used (injected). */
export interface PowerEvents {
  on(event: PowerEvent, listener: () => void): unknown;
  removeListener(event: PowerEvent, listener: () => void): unknown;
}

/**
 * `resume` and `unlock-screen` call the agent's `recheck` (timers may have slept past a deadline);
 * `lock-screen` signs out and wipes every secret when `wipeOnLock()` says so. Answers the undo.
 */
export function watchPower(
  power: PowerEvents,
  handlers: Pick<AgentHandlers, 'recheck' | 'logout'>,
  wipeOnLock: () => boolean,
  /** Also run after resume / unlock (the keychain probe: a keyring may lock during sleep). */
  afterWake: () => void = () => undefined,
): () => void {
  const recheck = (why: string) => () => {
    afterWake();
    void handlers.recheck({}).then((answer) => {
      appLog(
        answer.ok
          ? `recheck after ${why}: ${answer.value.wiped} wiped`
          : `recheck after ${why} failed: ${answer.error.message}`,
      );
    });
  };
  const onResume = recheck('resume');
  const onUnlock = recheck('unlock-screen');
  const onLock = () => {
    if (!wipeOnLock()) return;
    void handlers.logout({}).then((answer) => {
      appLog(answer.ok ? `screen locked: ${answer.value.wiped} wiped` : 'wipe on lock failed');
    });
  };
  power.on('resume', onResume);
  power.on('unlock-screen', onUnlock);
  power.on('lock-screen', onLock);
  return () => {
    power.removeListener('resume', onResume);
    power.removeListener('unlock-screen', onUnlock);
    power.removeListener('lock-screen', onLock);
  };
}
