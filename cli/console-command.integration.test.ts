import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer } from '../agent/console/console-server.ts';
import {
  CONSOLE_BOOTSTRAP_PARAM,
  CONSOLE_SESSION_HEADER,
  CONSOLE_SESSION_PATH,
} from '../protocol/console-session.ts';
import { fakeRendererApi } from '../renderer/test-fixtures.ts';
import type { CliRun } from './profile-harness.ts';
import { cliTestEnv, waitFor } from './profile-harness.ts';

// The console demo (`npm start` without Electron) as a real process, the real CLI binary asking its
// agent for fresh console links over the 0600 socket, and the links traded as a browser does.
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hourglass.js');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const base = join(mkdtempSync(join(tmpdir(), 'hg-console-cmd-')), 'hourglass');
const env = cliTestEnv(base, { HOURGLASS_DEMO_TARGETS: '0' });
let demo: ChildProcessWithoutNullStreams;

function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, ...extra },
      cwd: tmpdir(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Trades the link's bootstrap token as the console page does; answers the HTTP status and session. */
async function trade(url: string): Promise<{ status: number; session: string | null }> {
  const { origin, hash } = new URL(url);
  const bootstrap = new URLSearchParams(hash.slice(1)).get(CONSOLE_BOOTSTRAP_PARAM);
  const response = await fetch(`${origin}${CONSOLE_SESSION_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ bootstrap }),
  });
  const body = (await response.json()) as { session?: string };
  return { status: response.status, session: body.session ?? null };
}

/** The agent's status through the console with `session`, as the page calls it. */
async function statusThrough(url: string, session: string): Promise<unknown> {
  const { origin } = new URL(url);
  const response = await fetch(`${origin}/api/getStatus`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, [CONSOLE_SESSION_HEADER]: session },
    body: '{}',
  });
  return response.json();
}

const urlIn = (text: string): string => {
  const found = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}/.exec(text);
  if (!found) throw new Error(`no console URL in: ${text}`);
  return found[0];
};

beforeAll(async () => {
  demo = spawn(TSX, [join(ROOT, 'demo/start.ts')], { env, cwd: ROOT });
  let out = '';
  demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(
    'the demo to start',
    () => (out.includes('open the console') ? true : undefined),
    60_000,
  );
}, 90_000);
afterAll(async () => {
  demo.kill('SIGINT');
  await new Promise((resolve) => demo.once('exit', resolve));
}, 30_000);

describe('hourglass console', () => {
  it('prints a fresh URL the console trades for a session; each run gives a new working one', async () => {
    const first = await cli(['console', '--no-browser']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Open the console (the link works once');
    const url = urlIn(first.stdout);
    const traded = await trade(url);
    expect(traded.status).toBe(200);
    expect(await statusThrough(url, traded.session ?? '')).toMatchObject({
      ok: true,
      value: { demo: true },
    });

    const second = await cli(['console', '--no-browser']);
    expect(second.code).toBe(0);
    const again = urlIn(second.stdout);
    expect(again).not.toBe(url);
    expect((await trade(again)).status).toBe(200);
    expect(await cli(['--json', 'console', '--no-browser'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^\{"url":"http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}"\}\n$/),
    });
  });

  it('threat: a printed link is replayed (shell history, a shoulder) — it opens the console only once', async () => {
    const url = urlIn((await cli(['console', '--no-browser'])).stdout);
    expect((await trade(url)).status).toBe(200);
    expect(await trade(url)).toEqual({ status: 401, session: null });
  });

  it('opens the link with $BROWSER, which receives the same URL the terminal shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-browser-'));
    const opened = join(dir, 'opened');
    const browser = join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o700);
    const run = await cli(['console'], { BROWSER: browser });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Opening the console in your browser');
    await waitFor(
      'the browser to be started',
      () => (existsSync(opened) ? true : undefined),
      10_000,
    );
    await waitFor(
      'the URL',
      () => (readFileSync(opened, 'utf8') !== '' ? true : undefined),
      10_000,
    );
    expect(readFileSync(opened, 'utf8')).toBe(urlIn(run.stdout));
  });

  it("threat: a link minted for one profile's console opens another's — each console knows only its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-console-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const bobs = await startConsoleServer({
      api: fakeRendererApi(),
      staticDir: dir,
      subscribe: () => () => undefined,
    });
    try {
      // Bob's agent (on demand, headless) serves no console: it does not hand out the demo's.
      const bob = await cli(['--profile', 'bob', 'console', '--no-browser']);
      expect(bob.stdout).toBe('');
      expect(bob.stderr).toContain('no console runs with this agent');
      expect(bob.stderr).not.toMatch(/#token=/);
      expect(bob.code).not.toBe(0);
      const alices = urlIn((await cli(['console', '--no-browser'])).stdout);
      const token = new URL(alices).hash;
      expect((await trade(`${bobs.origin}/${token}`)).status).toBe(401);
      expect((await trade(bobs.newUrl())).status).toBe(200);
    } finally {
      await bobs.close();
    }
  });
});
