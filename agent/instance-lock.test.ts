import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock } from './instance-lock.ts';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'hg-lock-')), 'agent.lock');

describe('agent instance lock', () => {
  it('lets one holder in, refuses a second live one, and frees on release', () => {
    const path = lockPath();
    const first = acquireInstanceLock(path);
    expect(first.ok).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    // Another live process (pid 1 always exists) asking for the same lock is refused.
    const second = acquireInstanceLock(path, 1);
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (first.ok) first.value.release();
    expect(existsSync(path)).toBe(false);
    expect(acquireInstanceLock(path, 1).ok).toBe(true);
  });

  it('takes over the lock of an agent that died', () => {
    const path = lockPath();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(path, `${dead.stdout}\n`);
    const taken = acquireInstanceLock(path);
    expect(taken.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });
});
