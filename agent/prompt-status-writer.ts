/**
 * Keeps `<dataDir>/status` (0600) holding the prompt segment line: rewritten when the snapshot
 * changes and each minute, emptied when the agent stops (a stale line would claim access).
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { LocalGrant } from '../protocol/index.ts';
import type { PushListener } from './snapshot-hub.ts';
import { formatPromptStatus } from './prompt-status.ts';

/** What the writer needs: where, the snapshot pushes, and the broker's time. */
export interface PromptStatusDeps {
  path: string;
  subscribe: (listener: PushListener) => () => void;
  brokerNow: () => number;
  everyMs?: number;
}

/** A running writer. */
export interface PromptStatusWriter {
  stop(): void;
}

function writeLine(path: string, line: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, line === '' ? '' : `${line}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // The prompt segment is a convenience: a full disk must not disturb the agent.
  }
}

/** Starts the writer. */
export function startPromptStatusWriter(deps: PromptStatusDeps): PromptStatusWriter {
  let grants: readonly LocalGrant[] = [];
  let written: string | null = null;
  const refresh = () => {
    const line = formatPromptStatus(grants, deps.brokerNow());
    if (line === written) return;
    written = line;
    writeLine(deps.path, line);
  };
  const unsubscribe = deps.subscribe((push) => {
    if (push.type !== 'snapshot') return;
    grants = push.snapshot.grants;
    refresh();
  });
  const timer = setInterval(refresh, deps.everyMs ?? 60_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      unsubscribe();
      writeLine(deps.path, '');
    },
  };
}
