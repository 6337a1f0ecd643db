/**
 * Reloads the policy when its file changes, as SIGHUP does. The directory is watched, not the
 * file: editors save by writing a new file and renaming it over the old one, which a watch on the
 * old file's inode would miss. Writes are let settle first, so one save is one reload.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { PolicyReload } from './live-policy.ts';

/** How long the file must stay quiet before it is read (one save can be several writes). */
export const POLICY_SETTLE_MS = 200;

/** A running watch. */
export interface PolicyWatch {
  close(): void;
}

/**
 * Watches `path`; after each change settles, runs `reload` and tells `report` what came of it
 * (a refused reload leaves the old policy serving; the report says why).
 */
export function watchPolicyFile(
  path: string,
  reload: () => Promise<PolicyReload>,
  report: (result: PolicyReload) => void,
  settleMs = POLICY_SETTLE_MS,
): PolicyWatch {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  // One reload at a time; a change during one reloads again after it.
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(() =>
      reload().then(report, (error: unknown) =>
        report({
          status: 'refused',
          message: `${path}: ${error instanceof Error ? error.message : 'cannot be read'}`,
        }),
      ),
    );
  };
  const watcher = watch(dirname(path), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(run, settleMs);
    timer.unref();
  });
  watcher.on('error', (error) =>
    report({ status: 'refused', message: `${path}: no longer watched (${error.message})` }),
  );
  watcher.unref();
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
