import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile, parsePolicyText } from './load-policy.ts';

const demoPolicy = fileURLToPath(new URL('../../demo/policy.yaml', import.meta.url));

const valid = `tenant: demo
roles:
  - name: a
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: [engineers] }
    maxDuration: 1h
  - name: b
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: [engineers] }
    maxDuration: 15m
`;

function errorOf(text: string): string {
  const parsed = parsePolicyText(text, 'demo/policy.yaml');
  if (parsed.status === 'success') throw new Error('expected a parse error');
  return parsed.message;
}

describe('policy parser', () => {
  it('loads the demo policy', async () => {
    const parsed = await loadPolicyFile(demoPolicy);
    expect(parsed.status).toBe('success');
    if (parsed.status !== 'success') return;
    expect(parsed.policy.tenant).toBe('demo');
    expect(parsed.policy.roles.map((r) => [r.name, r.maxDuration, r.approval.required])).toEqual([
      ['prod-api-readonly', 3600, 0],
      ['prod-api-admin', 1800, 1],
      ['audit-reader', 14400, 0],
      ['prod-api-breakglass', 900, 0],
    ]);
  });

  it('names file, line and field of a bad duration', () => {
    expect(errorOf(valid.replace('15m', '2x'))).toBe(
      'demo/policy.yaml:10:18: roles[1].maxDuration: "2x" is not a duration; use 90s, 15m, 1h',
    );
  });

  it('rejects unknown keys with their line', () => {
    const message = errorOf(
      valid.replace('    maxDuration: 1h', '    maxDuration: 1h\n    maxDurtion: 2h'),
    );
    expect(message).toMatch(/^demo\/policy\.yaml:3:\d+: roles\[0\]: unknown key\(s\) maxDurtion/);
  });

  it('rejects duplicate role names at the duplicate', () => {
    expect(errorOf(valid.replace('name: b', 'name: a'))).toBe(
      'demo/policy.yaml:7:11: roles[1].name: duplicate role name "a"; each role needs its own name',
    );
  });

  it('names a missing field at its parent', () => {
    expect(
      errorOf(
        valid.replace(
          '    eligible: { groups: [engineers] }\n    maxDuration: 1h\n',
          '    maxDuration: 1h\n',
        ),
      ),
    ).toMatch(/^demo\/policy\.yaml:3:\d+: roles\[0\]\.eligible: /);
  });

  it('rejects an invalid ticket pattern and a bad provider kind', () => {
    expect(
      errorOf(valid.replace('    maxDuration: 1h', "    maxDuration: 1h\n    ticketPattern: '(['")),
    ).toMatch(/:7:\d+: roles\[0\]\.ticketPattern: is not a valid regular expression/);
    expect(errorOf(valid.replace('kind: jwt', 'kind: magic'))).toMatch(
      /:4:\d+: roles\[0\]\.provider\.kind: /,
    );
  });

  it('names a bad request TTL in the approval block', () => {
    expect(
      errorOf(
        valid.replace(
          '    maxDuration: 1h',
          '    maxDuration: 1h\n    approval: { required: 1, from: [a], requestTtl: soon }',
        ),
      ),
    ).toMatch(/:7:\d+: roles\[0\]\.approval\.requestTtl: "soon" is not a duration/);
  });

  it('fills the extension budget defaults and reads admins', () => {
    const parsed = parsePolicyText(
      `admins: { groups: [sre-leads] }\n${valid.replace(
        '    maxDuration: 15m',
        '    maxDuration: 15m\n    extension: { maxCount: 1, requireApproval: true }\n    approval: { required: 0, from: [approvers] }',
      )}`,
      'p.yaml',
    );
    if (parsed.status !== 'success') throw new Error(parsed.message);
    expect(parsed.policy.admins.groups).toEqual(['sre-leads']);
    expect(parsed.policy.roles.map((r) => r.extension)).toEqual([
      { maxCount: 3, maxTotal: 4 * 3600, requireApproval: false },
      { maxCount: 1, maxTotal: 4 * 900, requireApproval: true },
    ]);
  });

  it('refuses approvals without approver groups, and the old approvals key, by line', () => {
    expect(
      errorOf(
        valid.replace('    maxDuration: 1h', '    maxDuration: 1h\n    approval: { required: 1 }'),
      ),
    ).toMatch(/:7:\d+: roles\[0\]\.approval\.from: a role that needs approvals/);
    expect(
      errorOf(
        valid.replace(
          '    maxDuration: 1h',
          '    maxDuration: 1h\n    approvals: { required: 1, approverGroups: [a] }',
        ),
      ),
    ).toMatch(/:3:\d+: roles\[0\]: unknown key\(s\) approvals/);
    expect(
      errorOf(
        valid.replace(
          '    maxDuration: 1h',
          '    maxDuration: 1h\n    extension: { maxTotal: 2x }',
        ),
      ),
    ).toMatch(/:7:\d+: roles\[0\]\.extension\.maxTotal: "2x" is not a duration/);
  });

  it('reports broken YAML with a line', () => {
    expect(errorOf('tenant: demo\nroles: [\n')).toMatch(
      /^demo\/policy\.yaml:\d+:\d+: not valid YAML/,
    );
  });

  it('survives junk without throwing', () => {
    for (const junk of [
      '',
      '42',
      '- a',
      'tenant: [',
      '~',
      'roles: {}',
      '"\\u0000"',
      'a: &x [*x]',
    ]) {
      expect(parsePolicyText(junk, 'f').status).toBe('error');
    }
  });
});
