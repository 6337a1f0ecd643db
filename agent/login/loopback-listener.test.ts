import { describe, expect, it } from 'vitest';
import { startLoopbackListener } from './loopback-listener.ts';

describe('loopback listener', () => {
  it('listens on 127.0.0.1 with an ephemeral port and refuses a forged state', async () => {
    const listener = await startLoopbackListener({ expectedState: 'good', timeoutMs: 10_000 });
    expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const forged = await fetch(`${listener.redirectUri}?code=c&state=evil`);
    expect(forged.status).toBe(400);
    expect(
      await fetch(`${listener.redirectUri.replace('/callback', '/other')}?state=good`),
    ).toHaveProperty('status', 400);
    const answer = fetch(`${listener.redirectUri}?code=secret-code&state=good`);
    const callback = await listener.callback;
    if (!callback.ok) throw new Error(callback.error.message);
    expect(callback.value.url.searchParams.get('code')).toBe('secret-code');
    callback.value.finish({ ok: true });
    const page = await (await answer).text();
    expect(page).toContain('Signed in to Hourglass. You can close this tab.');
    expect(page).not.toContain('secret-code');
    await expect(fetch(listener.redirectUri)).rejects.toThrow();
  });

  it('closes and fails the login at the timeout', async () => {
    const listener = await startLoopbackListener({ expectedState: 's', timeoutMs: 200 });
    expect(await listener.callback).toMatchObject({ ok: false, error: { code: 'login_failed' } });
    await expect(fetch(`${listener.redirectUri}?state=s`)).rejects.toThrow();
  });
});
