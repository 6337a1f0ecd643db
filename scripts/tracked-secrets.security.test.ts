/**
 * Threat: a private key or a live token committed to the repository (and so to every clone, CI
 * cache and release tarball). Every tracked file (`git ls-files`) is searched for PEM private key
 * blocks, OpenSSH private keys, JWKs carrying a private `d`, JWT-shaped strings whose header is
 * real base64url JSON with an `alg`, and AWS secret access keys. Tests generate their keys at run
 * time; the allow-list below is for reviewed fixtures only and is empty.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Reviewed exceptions: `path` → why it may hold what it holds. Keep it empty if you can. */
const allowed: Readonly<Record<string, string>> = {};

/** Each finding in `text`: the kind, and the first characters of the match. */
export function secretsIn(text: string): string[] {
  const found: string[] = [];
  if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\s*\n\s*[A-Za-z0-9+/=]{40}/.test(text))
    found.push('PEM private key');
  if (/-----BEGIN OPENSSH PRIVATE KEY-----\s*\n\s*b3BlbnNzaC1rZXktdjE/.test(text))
    found.push('OpenSSH private key');
  for (const m of text.matchAll(/"d"\s*:\s*"([A-Za-z0-9_-]{20,})"/g)) {
    const around = text.slice(Math.max(0, (m.index ?? 0) - 400), (m.index ?? 0) + 400);
    if (/"kty"\s*:/.test(around)) found.push(`JWK with a private "d" (${m[1]?.slice(0, 8)}…)`);
  }
  for (const m of text.matchAll(
    /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
  )) {
    const header = m[0].split('.')[0] ?? '';
    try {
      const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
      if (typeof parsed === 'object' && parsed !== null && 'alg' in parsed)
        found.push(`JWT (${m[0].slice(0, 24)}…)`);
    } catch {
      // not a JWT header: base64url that is not JSON
    }
  }
  for (const m of text.matchAll(
    /aws_secret_access_key\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})\b|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/gi,
  ))
    found.push(`AWS credential (${m[0].slice(0, 12)}…)`);
  return found;
}

describe('no tracked file holds a private key or a token', () => {
  it('the detector sees each kind (keys made here, never committed)', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const jwt = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ sub: 'alice-the-engineer' })}.${'s'.repeat(40)}`;
    const ssh = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n`;
    const aws = `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'.padEnd(40, 'A')}`;
    expect(secretsIn(pem)).toEqual(['PEM private key']);
    expect(secretsIn(jwk)[0]).toMatch(/^JWK with a private "d"/);
    expect(secretsIn(jwt)[0]).toMatch(/^JWT/);
    expect(secretsIn(ssh)).toEqual(['OpenSSH private key']);
    expect(secretsIn(aws)[0]).toMatch(/^AWS credential/);
    // Public material is not a finding.
    const publicJwk = JSON.stringify(privateKey.export({ format: 'jwk' }), (k, v: unknown) =>
      k === 'd' ? undefined : v,
    );
    expect(secretsIn(publicJwk)).toEqual([]);
  });

  it('git ls-files: 0 findings outside the reviewed allow-list', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root })
      .toString()
      .split('\0')
      .filter(Boolean);
    const findings: string[] = [];
    for (const path of files) {
      if (Object.hasOwn(allowed, path)) continue;
      let text: string;
      try {
        text = readFileSync(join(root, path), 'latin1');
      } catch {
        continue; // listed but absent (a deleted, not yet staged file)
      }
      for (const finding of secretsIn(text)) findings.push(`${path}: ${finding}`);
    }
    process.stderr.write(
      `static: ${files.length} tracked files, ${findings.length} private keys or tokens\n`,
    );
    expect(findings).toEqual([]);
  });
});
