import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import { describe, expect, it } from 'vitest';
import { buildKrl } from './krl.ts';
import { signUserCertificate, sshKeyId, sshRevokedKeyIds } from './ssh-certificate.ts';

const pem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
const ca = sshpk.parsePrivateKey(pem(), 'pem');
const device = sshpk.parsePrivateKey(pem(), 'pem').toPublic();
const hostile = { subject: 'alice\nsshd[1]: Accepted publickey for root\r\x1b[2J', id: 'g_1' };

describe('ssh certificate key id (issue 18, finding 12)', () => {
  it('a subject with newlines and escapes cannot forge sshd log lines through the key id', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const signed = signUserCertificate({
      ca,
      key: device,
      settings: { kind: 'ssh', target: 't', principals: ['deploy'], extensions: ['permit-pty'] },
      keyId: sshKeyId(hostile),
      now,
      skewSeconds: 0,
      validBefore: new Date(now.getTime() + 60_000),
    });
    const cert = sshpk.parseCertificate(signed.certificate, 'openssh');
    const keyId = (cert.signatures.openssh as { keyId: string }).keyId;
    expect(keyId).toBe('hourglass:alice_sshd_1___Accepted_publickey_for_root___2J:g_1');
    expect(keyId).toMatch(/^hourglass:[A-Za-z0-9._@+=-]+:g_1$/);
  });

  it('keeps a plain subject as it was, so issued certificates keep their key id', () => {
    expect(sshKeyId({ subject: 'alice@corp.example', id: 'g_2' })).toBe(
      'hourglass:alice@corp.example:g_2',
    );
    expect(sshRevokedKeyIds({ subject: 'alice@corp.example', id: 'g_2' })).toEqual([
      'hourglass:alice@corp.example:g_2',
    ]);
  });

  it('the revocation list still names a certificate signed with the raw key id before the fix', () => {
    const ids = sshRevokedKeyIds(hostile);
    expect(ids).toContain(`hourglass:${hostile.subject}:g_1`);
    expect(ids).toContain(sshKeyId(hostile));
    const krl = buildKrl({ ca: ca.toPublic(), keyIds: ids, version: 1n, now: new Date() });
    expect(krl.includes(Buffer.from(sshKeyId(hostile)))).toBe(true);
    expect(krl.includes(Buffer.from(`hourglass:${hostile.subject}:g_1`))).toBe(true);
  });
});
