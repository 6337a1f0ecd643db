import { describe, expect, it } from 'vitest';
import { aLocalGrant, aRole, at } from './test-fixtures.ts';
import { defaultRole, rolesMatching } from './roles.logic.ts';

const roles = [
  aRole({ name: 'a-admin', approvalsRequired: 1, maxDurationSeconds: 1800 }),
  aRole({ name: 'b-readonly', approvalsRequired: 0, maxDurationSeconds: 3600 }),
  aRole({
    name: 'c-short',
    approvalsRequired: 0,
    maxDurationSeconds: 900,
    description: 'Kafka ops',
  }),
];

describe('defaultRole', () => {
  it('prefers the role asked for most recently, if still eligible', () => {
    const grants = [
      aLocalGrant({ id: '1', role: 'b-readonly', createdAt: at(0) }),
      aLocalGrant({ id: '2', role: 'gone-role', createdAt: at(20) }),
      aLocalGrant({ id: '3', role: 'a-admin', createdAt: at(10) }),
    ];
    expect(defaultRole(roles, grants)).toBe('a-admin');
  });

  it('else the least privileged, not the first alphabetically', () => {
    expect(defaultRole(roles, [])).toBe('c-short');
    expect(defaultRole([], [])).toBe('');
  });
});

describe('rolesMatching', () => {
  it('matches every word against name, description, provider and approvers', () => {
    expect(rolesMatching(roles, 'kafka').map((r) => r.name)).toEqual(['c-short']);
    expect(rolesMatching(roles, 'READONLY jwt').map((r) => r.name)).toEqual(['b-readonly']);
    expect(rolesMatching(roles, '  ')).toHaveLength(3);
    expect(rolesMatching(roles, 'nothing')).toEqual([]);
  });
});
