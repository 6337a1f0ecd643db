/** The access gate denies by default: at registration, at ready(), and on every request. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authenticatedRoute,
  installAccessGate,
  publicRoute,
  type Authenticate,
} from './route-access.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** An app with the gate; its credential check accepts the header `x-key: right`. */
function gatedApp() {
  const app = Fastify();
  apps.push(app);
  const gate = installAccessGate(app, {
    refuse: (_request, reply, refusal) =>
      void reply.code(refusal.code === 'unauthenticated' ? 401 : 403).send(refusal),
  });
  const checkKey: Authenticate = (request) =>
    Promise.resolve(
      request.headers['x-key'] === 'right'
        ? { ok: true }
        : { ok: false, refusal: { code: 'unauthenticated', message: 'no key' } },
    );
  return { app, gate, checkKey };
}

describe('deny by default', () => {
  it('refuses to register a route that declares no access, or an unknown one', () => {
    const { app } = gatedApp();
    expect(() => app.get('/undeclared', () => 'served')).toThrow(/declares no access/);
    expect(() =>
      app.get('/admin', { config: { access: 'admin' as 'public' } }, () => 'served'),
    ).toThrow(/declares no access/);
  });

  it('refuses on request a route registered before the gate (no declaration went through it)', async () => {
    const app = Fastify();
    apps.push(app);
    let ran = false;
    app.get('/early', () => {
      ran = true;
      return 'served';
    });
    installAccessGate(app, { refuse: (_q, reply, r) => void reply.code(403).send(r) });
    const answer = await app.inject({ method: 'GET', url: '/early' });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({ code: 'forbidden' });
    expect(ran).toBe(false);
  });

  it('fails ready() when an authenticated route has no credential check over it', async () => {
    const { app } = gatedApp();
    app.get('/private', { config: authenticatedRoute }, () => 'served');
    await expect(app.ready()).rejects.toThrow(/no credential check covers it/);
  });

  it('refuses an unmatched path when the 404 handler is left undeclared', async () => {
    const { app } = gatedApp();
    app.get('/open', { config: publicRoute }, () => 'served');
    expect((await app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(403);
  });
});

describe('the decision is made on the matched route', () => {
  it('a public route is served to anyone; an authenticated one only with the credential', async () => {
    const { app, gate, checkKey } = gatedApp();
    app.get('/open', { config: publicRoute }, () => 'open');
    gate.authenticateIn(app, checkKey);
    app.get('/private', { config: authenticatedRoute }, () => 'private');
    expect((await app.inject({ method: 'GET', url: '/open' })).body).toBe('open');
    for (const url of ['/private', '/%70rivate', '/private?x=1']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
      const served = await app.inject({ method: 'GET', url, headers: { 'x-key': 'right' } });
      expect(served.body).toBe('private');
    }
    expect(gate.routes()).toEqual([
      { method: 'GET', url: '/open', access: 'public' },
      { method: 'HEAD', url: '/open', access: 'public' },
      { method: 'GET', url: '/private', access: 'authenticated' },
      { method: 'HEAD', url: '/private', access: 'authenticated' },
    ]);
  });

  it("each scope's routes are checked with that scope's credential check", async () => {
    const { app, gate, checkKey } = gatedApp();
    const otherKey: Authenticate = (request) =>
      Promise.resolve(
        request.headers['x-key'] === 'other'
          ? { ok: true }
          : { ok: false, refusal: { code: 'unauthenticated', message: 'no key' } },
      );
    gate.authenticateIn(app, checkKey);
    app.get('/root', { config: authenticatedRoute }, () => 'root');
    await app.register(
      (scope, _opts, done) => {
        gate.authenticateIn(scope, otherKey);
        scope.get('/inner', { config: authenticatedRoute }, () => 'inner');
        done();
      },
      { prefix: '/t' },
    );
    const get = (url: string, key: string) =>
      app.inject({ method: 'GET', url, headers: { 'x-key': key } });
    expect((await get('/root', 'right')).statusCode).toBe(200);
    expect((await get('/root', 'other')).statusCode).toBe(401);
    expect((await get('/t/inner', 'other')).statusCode).toBe(200);
    expect((await get('/t/inner', 'right')).statusCode).toBe(401);
  });

  it('a declared 404 handler is gated like a route: public answers 404, authenticated 401 first', async () => {
    const { app, gate, checkKey } = gatedApp();
    gate.authenticateIn(app, checkKey);
    gate.setNotFoundHandler(app, 'authenticated', (_request, reply) => {
      void reply.code(404).send('missing');
    });
    await app.register(
      (scope, _opts, done) => {
        gate.setNotFoundHandler(scope, 'public', (_request, reply) => {
          void reply.code(404).send('missing here');
        });
        done();
      },
      { prefix: '/open' },
    );
    expect((await app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(401);
    const found = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-key': 'right' } });
    expect([found.statusCode, found.body]).toEqual([404, 'missing']);
    const open = await app.inject({ method: 'GET', url: '/open/nope' });
    expect([open.statusCode, open.body]).toEqual([404, 'missing here']);
  });

  it('a scope declared public covers routes registered without config (plugins that take none)', async () => {
    const { app, gate } = gatedApp();
    await app.register((scope, _opts, done) => {
      gate.declareScope(scope, 'public');
      scope.get('/asset', () => 'asset');
      done();
    });
    expect(() => app.get('/outside', () => 'x')).toThrow(/declares no access/);
    expect((await app.inject({ method: 'GET', url: '/asset' })).body).toBe('asset');
  });
});
