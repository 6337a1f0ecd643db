import { describe, expect, it } from 'vitest';
import type { RoleSummary } from '../protocol/broker-api.ts';
import { validateDraft } from './request-form.logic.ts';

const roles: RoleSummary[] = [
  {
    name: 'prod-api-readonly',
    description: '',
    provider: 'jwt',
    maxDurationSeconds: 3600,
    approvalsRequired: 0,
    approverGroups: [],
    reasonRequired: true,
    tenant: 'demo',
    extension: { maxCount: 2, maxTotalSeconds: 7200, requiresApproval: false },
  },
  {
    name: 'prod-db',
    description: '',
    provider: 'postgres',
    maxDurationSeconds: 900,
    approvalsRequired: 1,
    approverGroups: ['sre'],
    reasonRequired: false,
    ticketPattern: 'INC-[0-9]+',
    tenant: 'demo',
    extension: { maxCount: 0, maxTotalSeconds: 0, requiresApproval: false },
  },
];

describe('validateDraft', () => {
  it('builds a request body from a valid draft', () => {
    expect(
      validateDraft(
        { role: 'prod-api-readonly', duration: '20s', reason: ' debugging ', ticket: '' },
        roles,
      ),
    ).toEqual({
      status: 'success',
      body: { role: 'prod-api-readonly', durationSeconds: 20, reason: 'debugging' },
    });
  });

  it('reports each bad field inline', () => {
    const check = validateDraft(
      { role: 'prod-api-readonly', duration: 'soon', reason: '  ', ticket: '' },
      roles,
    );
    expect(check.status).toBe('error');
    if (check.status !== 'error') return;
    expect(check.errors.duration).toMatch(/not a duration/);
    expect(check.errors.reason).toMatch(/required/);
    expect(check.errors.role).toBeUndefined();
  });

  it('enforces the role max duration and ticket pattern before asking', () => {
    const check = validateDraft(
      { role: 'prod-db', duration: '1h', reason: '', ticket: 'JIRA-1' },
      roles,
    );
    expect(check).toEqual({
      status: 'error',
      errors: {
        duration: 'At most 15m for prod-db.',
        ticket: 'A ticket matching INC-[0-9]+ is required.',
      },
    });
    expect(
      validateDraft({ role: 'prod-db', duration: '15m', reason: '', ticket: 'INC-42' }, roles),
    ).toMatchObject({
      status: 'success',
      body: { ticket: 'INC-42', durationSeconds: 900 },
    });
  });

  it('refuses an unknown role and an over-long reason', () => {
    expect(
      validateDraft({ role: 'root', duration: '1m', reason: 'x', ticket: '' }, roles),
    ).toMatchObject({
      status: 'error',
      errors: { role: expect.any(String) },
    });
    expect(
      validateDraft(
        { role: 'prod-api-readonly', duration: '1m', reason: 'x'.repeat(501), ticket: '' },
        roles,
      ),
    ).toMatchObject({
      status: 'error',
      errors: { reason: expect.any(String) },
    });
  });
});
