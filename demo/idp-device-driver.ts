/**
 * Drives the demo IdP's device-flow pages (RFC 8628) over plain fetch, for tests: opens the
 * verification URL, confirms the user code, signs in, allows, and stops at the success page.
 */
import { CookieJar } from './cookie-jar.ts';
import type { IdpCredentials } from './idp-login-driver.ts';

const MAX_STEPS = 20;

/** Every named input of the first form with its value (hidden xsrf, user_code, confirm…). */
function parseForm(html: string): { action: string; values: URLSearchParams } | undefined {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[1]) return undefined;
  const values = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<(?:input|button)\b[^>]*>/gi)) {
    const name = /\bname="([^"]+)"/.exec(input[0])?.[1];
    if (!name || name === 'abort') continue;
    values.set(name, /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '');
  }
  return { action: form[1].replaceAll('&amp;', '&'), values };
}

/** Completes the device sign-in at `verificationUri` as `creds`; throws when the IdP refuses. */
export async function completeDeviceLogin(
  verificationUri: string,
  creds: IdpCredentials,
): Promise<void> {
  const jar = new CookieJar();
  let url = verificationUri;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`the IdP refused the device sign-in (HTTP ${response.status})`);
    const form = parseForm(html);
    if (!form) {
      if (/success/i.test(html)) return;
      throw new Error(`the IdP answered a page without a form at ${new URL(url).pathname}`);
    }
    if (form.values.has('password')) {
      form.values.set('login', creds.login);
      form.values.set('password', creds.password);
    }
    if (form.values.has('decision')) form.values.set('decision', 'allow');
    url = new URL(form.action, url).href;
    init = { method: 'POST', body: form.values.toString() };
  }
  throw new Error('the device sign-in did not reach the success page; too many steps');
}
