import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../policy/load-policy.ts';
import { postgresSettingsSchema } from './postgres-settings.ts';
import { loginPassword, loginRoleName, scramVerifier } from './role-login.ts';

describe('postgres names and secrets', () => {
  it.each([
    ["alice'; DROP ROLE postgres; --", /^hg_alicedroprolepostgre_[0-9a-f]{16}$/],
    ['"quoted" $1 `tick`', /^hg_quoted1tick_[0-9a-f]{16}$/],
    ['Ünïcødé', /^hg_ncd_[0-9a-f]{16}$/],
    ['!!!', /^hg_user_[0-9a-f]{16}$/],
    ['x'.repeat(200), /^hg_x{20}_[0-9a-f]{16}$/],
  ])('a login role name from subject %j is plain and short', (subject, pattern) => {
    const name = loginRoleName({ id: 'g1', subject });
    expect(name).toMatch(pattern);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('the role name and password are bound to the grant', () => {
    const key = Buffer.alloc(32, 7);
    expect(loginRoleName({ id: 'g1', subject: 'a' })).not.toBe(
      loginRoleName({ id: 'g2', subject: 'a' }),
    );
    expect(loginPassword(key, 't', 'g1')).toBe(loginPassword(key, 't', 'g1'));
    expect(loginPassword(key, 't', 'g1')).not.toBe(loginPassword(key, 't', 'g2'));
    expect(loginPassword(key, 't', 'g1')).not.toBe(loginPassword(Buffer.alloc(32, 8), 't', 'g1'));
    expect(Buffer.from(loginPassword(key, 't', 'g1'), 'base64url')).toHaveLength(32);
  });

  it('sends a SCRAM verifier, never the password', () => {
    const verifier = scramVerifier('secret-pw', Buffer.alloc(16, 1));
    expect(verifier).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/,
    );
    expect(verifier).not.toContain('secret-pw');
  });

  it.each([
    'orders"; DROP ROLE postgres; --',
    "orders' OR 1=1",
    'Orders',
    'orders ro',
    'pg_read_all_data;',
    '',
  ])('refuses the injection-shaped policy role %j', (role) => {
    expect(postgresSettingsSchema.safeParse({ kind: 'postgres', target: 'db', role }).success).toBe(
      false,
    );
  });

  it('a policy naming a bad role or target says what is wrong', () => {
    const parsed = parsePolicyText(
      'tenant: t\nroles:\n  - name: r\n    provider: { kind: postgres, target: "Bad Target", role: "x;y" }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n',
      'policy.yaml',
    );
    expect(parsed.status).toBe('error');
    expect(parsed.status === 'error' && parsed.message).toMatch(/target name.*|PostgreSQL role/);
  });
});
