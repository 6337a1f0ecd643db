import { describe, expect, it } from 'vitest';
import { isSafeAuthorizationUrl } from './url-safety.ts';

describe('isSafeAuthorizationUrl', () => {
  it.each([
    ['http://127.0.0.1:4000/auth?client_id=x', true],
    ['https://idp.example.com/auth', true],
    ['javascript:alert(1)', false],
    ['JaVaScRiPt:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['file:///etc/passwd', false],
    ['https://user:pw@idp.example.com/', false],
    ['/relative', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isSafeAuthorizationUrl(url)).toBe(expected);
  });
});
