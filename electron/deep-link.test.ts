import { describe, expect, it } from 'vitest';
import {
  deepLinkInArgv,
  MAX_LINK_LENGTH,
  parseDeepLink,
  requestWindowUrl,
  type DeepLinkParse,
} from './deep-link.ts';

const ok = (text: string) => {
  const parsed = parseDeepLink(text);
  if (parsed.status !== 'success') throw new Error(parsed.message);
  return parsed.prefill;
};
const refused = (text: string): string => {
  const parsed: DeepLinkParse = parseDeepLink(text);
  if (parsed.status === 'success') throw new Error(`accepted ${text}`);
  return parsed.message;
};

describe('parseDeepLink', () => {
  it('reads role, duration, reason and ticket', () => {
    expect(
      ok('hourglass://request?role=prod-api-admin&for=1h30m&reason=INC-42%20deploy&ticket=INC-42'),
    ).toEqual({
      role: 'prod-api-admin',
      durationSeconds: 5400,
      reason: 'INC-42 deploy',
      ticket: 'INC-42',
    });
    expect(ok('hourglass://request/?role=db')).toEqual({ role: 'db' });
    expect(ok('HOURGLASS://REQUEST?role=db&for=&reason=')).toEqual({ role: 'db' });
    expect(ok('hourglass:request?role=db&for=15m')).toEqual({ role: 'db', durationSeconds: 900 });
  });

  it.each([
    ['javascript:alert(1)', /Not an hourglass/],
    ['https://evil.example/request?role=db', /Not an hourglass/],
    ['file:///etc/passwd', /Not an hourglass/],
    ['hourglass-evil://request?role=db', /Not an hourglass/],
    ['not a url', /Not an hourglass/],
    ['hourglass://approve?grant=g1', /only hourglass:\/\/request/],
    ['hourglass://request/../approve?role=db', /only hourglass:\/\/request/],
    ['hourglass://request?role=', /no valid role/],
    ['hourglass://request?role=Prod%20DB', /no valid role/],
    ['hourglass://request?role=../../etc', /no valid role/],
    ['hourglass://request?role=db&for=forever', /duration/],
    ['hourglass://request?role=db&for=-5m', /duration/],
    [`hourglass://request?role=db&reason=${'x'.repeat(501)}`, /reason is longer than 500/],
    [`hourglass://request?role=db&ticket=${'x'.repeat(101)}`, /ticket is longer than 100/],
    ['hourglass://request?role=db&reason=ok%0Afake%20second%20line', /control characters/],
    ['hourglass://request?role=db&reason=%E2%80%AEevil', /control characters/],
    [`hourglass://request?role=db&x=${'y'.repeat(MAX_LINK_LENGTH)}`, /too long/],
  ])('refuses %s', (link, message) => {
    expect(refused(link.slice(0, 5000))).toMatch(message);
  });

  it('keeps script in a reason as plain text (the renderer shows text, never HTML)', () => {
    const prefill = ok(
      'hourglass://request?role=db&reason=%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E',
    );
    expect(prefill.reason).toBe('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    // …and it travels to the window URL encoded, inside the fragment only.
    const url = new URL(requestWindowUrl('app://hourglass', prefill));
    expect(url.pathname).toBe('/index.html');
    expect(url.search).toBe('');
    expect(new URLSearchParams(url.hash.slice(1)).get('reason')).toBe(prefill.reason);
  });

  it('never throws on arbitrary input', () => {
    const samples = ['', '%', 'hourglass:', 'hourglass://', 'hourglass://request?%zz', '\u0000'];
    for (let i = 0; i < 200; i++) {
      samples.push(
        `hourglass://request?role=${String.fromCharCode(...Array.from({ length: 12 }, (_, k) => (i * 31 + k * 17) % 0xffff))}`,
      );
    }
    for (const sample of samples) expect(() => parseDeepLink(sample)).not.toThrow();
  });
});

describe('deepLinkInArgv', () => {
  it('finds the link among Electron/Chromium switches, or none', () => {
    expect(
      deepLinkInArgv(['/opt/Hourglass/hourglass', '--no-sandbox', 'hourglass://request?role=db']),
    ).toBe('hourglass://request?role=db');
    expect(deepLinkInArgv(['/opt/Hourglass/hourglass', '--demo'])).toBeNull();
  });
});

describe('requestWindowUrl', () => {
  it('encodes the prefill in the fragment of the app origin', () => {
    expect(
      requestWindowUrl('app://hourglass', { role: 'db', durationSeconds: 900, reason: 'a&b=c' }),
    ).toBe('app://hourglass/index.html#request=db&for=900s&reason=a%26b%3Dc');
  });
});
