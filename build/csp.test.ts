import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rendererCsp } from './csp.ts';

const indexHtml = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8');

describe('renderer CSP', () => {
  it('has no unsafe-inline, unsafe-eval or wildcard', () => {
    expect(rendererCsp).not.toMatch(/unsafe-|\*/);
    expect(rendererCsp).toMatch(/^default-src 'none'; script-src 'self';/);
  });

  it('is exactly the meta tag in renderer/index.html', () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(indexHtml);
    expect(meta?.[1]).toBe(rendererCsp);
  });

  it('index.html carries no inline script or style', () => {
    expect(indexHtml).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(indexHtml).not.toMatch(/<style|style="/);
  });
});
