import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rememberSshAgentKey, removeSshAgentKeys } from './ssh-agent-keys.ts';

describe('ssh-agent key records', () => {
  it('keeps one 0600 file per grant, public blobs only, gone after removal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-ssh-agent-keys-'));
    const entry = { socket: join(dir, 'no-agent.sock'), blobs: ['AAAA'] };
    rememberSshAgentKey(dir, 'g1', entry);
    rememberSshAgentKey(dir, 'g1', entry);
    const file = join(dir, 'ssh-agent-keys', 'g1.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // No ssh-agent answers there: nothing removed, and the record goes anyway.
    expect(await removeSshAgentKeys(dir, 'g1')).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('never builds a path from a grant id that could leave its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-ssh-agent-keys-'));
    rememberSshAgentKey(dir, '../escape', { socket: '/x', blobs: [] });
    expect(readdirSync(dir)).toEqual([]);
    expect(await removeSshAgentKeys(dir, '../../etc/passwd')).toBe(0);
  });
});
