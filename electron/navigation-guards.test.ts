import { describe, expect, it } from 'vitest';
import { externalHostsOf, isAllowedExternalUrl, isAllowedNavigation } from './navigation-guards.ts';

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
