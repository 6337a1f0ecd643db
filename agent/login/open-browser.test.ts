import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserCommands, openBrowser } from './open-browser.ts';

const url = 'http://127.0.0.1:1/authorize?a=1&b=2';

describe('browserCommands', () => {
  it('splits $BROWSER like xdg: a list of commands, %s substituted or the URL appended', () => {
    expect(browserCommands(url, { BROWSER: 'firefox --new-window:w3m %s' }, 'linux')).toEqual([
      ['firefox', '--new-window', url],
      ['w3m', url],
    ]);
  });

  it('falls back to the platform opener', () => {
    expect(browserCommands(url, {}, 'linux')).toEqual([['xdg-open', url]]);
    expect(browserCommands(url, { BROWSER: '' }, 'darwin')).toEqual([['open', url]]);
  });
});

describe('openBrowser', () => {
  it('runs the first command that starts and passes the URL as one argument', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-browser-'));
    const script = join(dir, 'browser.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > ${dir}/opened\n`);
    chmodSync(script, 0o755);
    expect(await openBrowser(url, { BROWSER: `/nonexistent/browser:${script}` })).toBe(true);
    for (let i = 0; i < 50 && !existsSync(join(dir, 'opened')); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(join(dir, 'opened'), 'utf8')).toBe(url);
  });

  it('answers false when nothing can be started', async () => {
    expect(await openBrowser(url, { BROWSER: '/nonexistent/a:/nonexistent/b' })).toBe(false);
  });
});
