import { describe, expect, it } from 'vitest';
import {
  externalHostsOf,
  isAllowedExternalUrl,
  isAllowedIdpUrl,
  isAllowedNavigation,
} from './navigation-guards.ts';

const hosts = ['idp.example.com', 'broker.example.com:8443'];

describe('isAllowedExternalUrl', () => {
  it.each([
    ['https://idp.example.com/auth?x=1', true],
    ['https://IDP.example.com/auth', true],
    ['https://broker.example.com:8443/v1', true],
    ['https://broker.example.com/v1', false],
    ['https://idp.example.com.evil.test/auth', false],
    ['https://evil.test/idp.example.com', false],
    ['https://idp.example.com@evil.test/', false],
    ['https://user:pw@idp.example.com/', false],
    ['https://evil-idp.example.com/', false],
    ['https://example.com/', false],
    ['http://idp.example.com/auth', false],
    ['javascript:alert(1)//idp.example.com', false],
    ['file:///etc/passwd', false],
    ['data:text/html,<script>1</script>', false],
    ['hourglass://request?role=x', false],
    ['//idp.example.com/auth', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isAllowedExternalUrl(url, hosts)).toBe(expected);
  });

  it('refuses everything when no host is configured', () => {
    expect(isAllowedExternalUrl('https://idp.example.com/', [])).toBe(false);
  });
});

describe('isAllowedNavigation', () => {
  const app = 'app://hourglass';
  it.each([
    ['app://hourglass/index.html', true],
    ['app://hourglass/index.html#grants', true],
    ['app://evil/index.html', false],
    ['app://hourglass.evil/index.html', false],
    ['https://hourglass/index.html', false],
    ['https://idp.example.com/auth', false],
    ['file:///work/dist/renderer/index.html', false],
    ['javascript:alert(1)', false],
    ['about:blank', false],
    ['app://user@hourglass/index.html', false],
    ['garbage', false],
  ])('%s → %s', (url, expected) => {
    expect(isAllowedNavigation(url, app)).toBe(expected);
  });

  it('refuses when the app origin itself is opaque (file:)', () => {
    expect(isAllowedNavigation('file:///a/index.html', 'file:///a/index.html')).toBe(false);
  });
});

describe('externalHostsOf', () => {
  it('takes host[:port] of each URL and drops junk', () => {
    expect(
      externalHostsOf([
        'https://IdP.example.com/realms/x',
        'https://broker.example.com:8443',
        'nope',
      ]),
    ).toEqual(['idp.example.com', 'broker.example.com:8443']);
  });
});

describe('isAllowedIdpUrl (the sign-in / sign-out page the app opens in the browser)', () => {
  const issuer = 'https://idp.example.com/realms/x';
  it.each([
    ['https://idp.example.com/realms/x/auth?client_id=a', false, true],
    ['https://IDP.example.com/other-path', false, true],
    ['https://idp.example.com.evil.test/auth', false, false],
    ['https://idp.example.com@evil.test/auth', false, false],
    ['https://user:pw@idp.example.com/auth', false, false],
    ['http://idp.example.com/auth', true, false],
    ['javascript:alert(1)', true, false],
    ['file:///etc/passwd', true, false],
    ['not a url', true, false],
  ])('%s (insecure http allowed: %s) → %s', (url, insecure, expected) => {
    expect(isAllowedIdpUrl(url, issuer, insecure)).toBe(expected);
  });

  it('plain http only to a loopback IdP, and only when explicitly allowed', () => {
    const local = 'http://127.0.0.1:4455';
    expect(isAllowedIdpUrl('http://127.0.0.1:4455/auth', local, true)).toBe(true);
    expect(isAllowedIdpUrl('http://127.0.0.1:4455/auth', local, false)).toBe(false);
    expect(isAllowedIdpUrl('http://127.0.0.1:9999/auth', local, true)).toBe(false);
    expect(isAllowedIdpUrl('http://10.0.0.5:4455/auth', 'http://10.0.0.5:4455', true)).toBe(false);
  });
});
