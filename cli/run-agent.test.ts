import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopAgents } from './run-agent.ts';

describe('agent --stop --all-profiles', () => {
  it('false failure: an agent inside an app (the demo) is named and does not fail the command', async () => {
    const base = mkdtempSync(join(tmpdir(), 'hg-stop-'));
    const demo = join(base, 'profiles', 'demo');
    mkdirSync(demo, { recursive: true });
    // A live lock holder (this test process) with no agent.pid: not a headless agent.
    writeFileSync(join(demo, 'agent.sock.lock'), `${process.pid}\n`);
    let out = '';
    let err = '';
    const code = await stopAgents(
      { HOURGLASS_HOME: base },
      true,
      (t) => (out += t),
      (t) => (err += t),
    );
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain(`Left the agent (pid ${process.pid}) of ${demo} running`);
    rmSync(base, { recursive: true, force: true });
  });
});
