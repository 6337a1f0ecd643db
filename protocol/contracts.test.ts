import { describe, expect, it } from 'vitest';
import {
  agentContract,
  createRequestBodySchema,
  extendBodySchema,
  errorBodySchema,
  errorCodes,
  httpStatusFor,
  isAgentMethod,
  isRendererMethod,
  rendererMethods,
} from './index.ts';

describe('contracts', () => {
  it('maps every error code to a 4xx/5xx status; bad input is never 5xx', () => {
    for (const code of errorCodes) {
      const status = httpStatusFor(code);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
    expect(httpStatusFor('bad_request')).toBe(400);
    expect(httpStatusFor('policy_violation')).toBe(400);
    expect(httpStatusFor('unauthenticated')).toBe(401);
    expect(httpStatusFor('rate_limited')).toBe(429);
  });

  it('keeps the secret-bearing export off the renderer surface', () => {
    expect(rendererMethods).not.toContain('exportGrant');
    expect(isRendererMethod('exportGrant')).toBe(false);
    expect(isAgentMethod('exportGrant')).toBe(true);
    for (const method of rendererMethods) expect(isAgentMethod(method)).toBe(true);
    expect(isAgentMethod('__proto__')).toBe(false);
    expect(isAgentMethod('toString')).toBe(false);
  });

  it('refuses extra fields and bad values in a request body', () => {
    const good = { role: 'prod-api-readonly', durationSeconds: 60, reason: 'INC-1' };
    expect(createRequestBodySchema.safeParse(good).success).toBe(true);
    expect(createRequestBodySchema.safeParse({ ...good, admin: true }).success).toBe(false);
    // No reason at all is for the broker's policy to judge (optional on some roles).
    expect(createRequestBodySchema.safeParse({ role: 'audit', durationSeconds: 60 }).success).toBe(
      true,
    );
    expect(
      extendBodySchema.safeParse({ durationSeconds: 60, reason: 'migration overran' }).success,
    ).toBe(true);
    expect(
      extendBodySchema.safeParse({ durationSeconds: 60, reason: 'x'.repeat(5000) }).success,
    ).toBe(false);
    expect(createRequestBodySchema.safeParse({ ...good, durationSeconds: 1.5 }).success).toBe(
      false,
    );
    expect(createRequestBodySchema.safeParse({ ...good, durationSeconds: 0 }).success).toBe(false);
    expect(createRequestBodySchema.safeParse({ ...good, role: 'Prod DB' }).success).toBe(false);
    expect(createRequestBodySchema.safeParse({ ...good, reason: 'x'.repeat(501) }).success).toBe(
      false,
    );
  });

  it('every agent method refuses input with fields the contract does not name', () => {
    for (const [name, method] of Object.entries(agentContract)) {
      expect(method.input.safeParse({ __proto_pollution__: 1 }).success, name).toBe(false);
    }
  });

  it('the error body carries code, message and request id only', () => {
    const body = { error: { code: 'not_found', message: 'no such grant', requestId: 'r1' } };
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(
      errorBodySchema.safeParse({ error: { code: 'teapot', message: '', requestId: '' } }).success,
    ).toBe(false);
  });
});
