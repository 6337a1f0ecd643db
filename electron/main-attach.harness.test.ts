/**
 * The app started while the CLI's headless agent already holds the profile: it attaches over the
 * agent's socket instead of failing and shows that agent's grants; when that agent exits, the app
 * starts its own (same profile, same keychain session) and carries on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentRunning } from '../agent/local-api.client.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import {
  menuLabels,
  menuText,
  startAppUnderTest,
  type AppUnderTest,
} from './harness/app-driver.ts';
import { appEnvFor, pollUntil } from './harness/scenario.ts';

const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
const APP = 'app://hourglass/index.html';

const until = (what: string, check: () => Promise<boolean>) => pollUntil(what, check, 20_000);

describe('the app attaches to the agent the CLI started', () => {
  let stack: DemoStack;
  let cliAgent: ChildProcess;
  let app: AppUnderTest;
  let root: string;
  let socketPath: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hg-attach-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    const env = { ...process.env, ...appEnvFor(stack, root) };
    socketPath = join(root, 'agent', 'agent.sock');
    cliAgent = spawn(process.execPath, [BIN, 'agent'], { env, stdio: 'ignore' });
    await until('the CLI agent', () => isAgentRunning(socketPath));
    const userData = join(root, 'user-data');
    mkdirSync(userData);
    app = startAppUnderTest(env);
  });

  afterAll(async () => {
    await app?.stop();
    cliAgent?.kill('SIGTERM');
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('attaches instead of failing on the lock, and drives that agent from the tray', async () => {
    await app.waitFor('the tray', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Not signed in')),
    );
    expect(app.log()).toContain('agent attached over its socket');
    await app.command({ cmd: 'click-menu', path: ['Sign in…'] });
    const page = await app.waitFor('the sign-in page', () =>
      app.records.find((r) => r.kind === 'shell' && r.url.startsWith(stack.issuer)),
    );
    if (page.kind !== 'shell') throw new Error('unreachable');
    const { callbackUrl } = await completeIdpLogin(page.url, { login: 'alice', password: 'demo' });
    expect((await fetch(callbackUrl)).status).toBe(200);
    await app.waitFor('signed in', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Signed in as Alice')),
    );
    const answer = await app.command({
      cmd: 'ipc-invoke',
      channel: 'hourglass:requestGrant',
      senderUrl: APP,
      subframe: false,
      input: { role: 'prod-api-readonly', durationSeconds: 600, reason: 'INC-9 attach' },
    });
    expect(answer).toMatchObject({ ok: true });
    await app.waitFor('the grant pushed by the CLI agent', () =>
      menuLabels(app.menu()).find((l) => /^prod-api-readonly: \d+:\d\d left$/.test(l)),
    );
    process.stdout.write(`\n── attached tray menu ──\n${menuText(app.menu())}\n`);
  });

  it('when the CLI agent exits, the app starts its own and keeps the grant in the menu', async () => {
    expect(await isAgentRunning(socketPath)).toBe(true);
    cliAgent.kill('SIGTERM');
    await app.waitFor('the takeover', () =>
      app.log().includes('the attached agent exited; agent started in the app'),
    );
    await until('the app’s own agent socket', () => isAgentRunning(socketPath));
    await app.waitFor('the grant, now from the app’s agent', () =>
      menuLabels(app.menu()).find((l) => /^prod-api-readonly: \d+:\d\d left$/.test(l)),
    );
    expect(menuLabels(app.menu()).find((l) => l.startsWith('Signed in as Alice'))).toBeDefined();
  });

  it('quitting closes the app’s own agent', async () => {
    await app.command({ cmd: 'click-menu', path: ['Quit Hourglass'] });
    expect(await app.stop()).toBe(0);
    expect(await isAgentRunning(socketPath)).toBe(false);
    expect(existsSync(`${socketPath}.lock`)).toBe(false);
  });
});
