/**
 * A small HTTP API that trusts the broker's `jwt` grants the way a real one would: the signature
 * through the broker's JWKS (found by OIDC discovery), its own audience, then RFC 7662
 * introspection so a revoked grant is refused at once. Used by the demo and the tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';

const discoverySchema = z.object({
  issuer: z.string(),
  jwks_uri: z.url(),
  introspection_endpoint: z.url(),
});

/** A running resource server. */
export interface ResourceServer {
  url: string;
  close(): Promise<void>;
}

async function authorize(
  header: string | undefined,
  audience: string,
  discovery: z.infer<typeof discoverySchema>,
  jwks: ReturnType<typeof createRemoteJWKSet>,
): Promise<{ ok: true; sub: string } | { ok: false; why: string }> {
  const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  if (!token) return { ok: false, why: 'no bearer token' };
  try {
    await jwtVerify(token, jwks, { issuer: discovery.issuer, audience });
  } catch {
    return { ok: false, why: 'token not valid for this API' };
  }
  const answer = await fetch(discovery.introspection_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const state = z
    .object({ active: z.boolean(), sub: z.string().optional() })
    .parse(await answer.json());
  return state.active && state.sub
    ? { ok: true, sub: state.sub }
    : { ok: false, why: 'grant no longer active' };
}

/** Starts the API on 127.0.0.1, answering `GET /orders` for tokens of `audience`. */
export async function startResourceServer(opts: {
  brokerUrl: string;
  audience: string;
  port?: number;
}): Promise<ResourceServer> {
  const discovery = discoverySchema.parse(
    await (await fetch(`${opts.brokerUrl}/.well-known/openid-configuration`)).json(),
  );
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const server: Server = createServer((request, response) => {
    void authorize(request.headers.authorization, opts.audience, discovery, jwks).then(
      (auth) => {
        response.setHeader('content-type', 'application/json');
        if (!auth.ok) {
          response
            .writeHead(401, { 'www-authenticate': 'Bearer' })
            .end(JSON.stringify({ error: auth.why }));
          return;
        }
        response.end(JSON.stringify({ caller: auth.sub, orders: [{ id: 1, item: 'tea' }] }));
      },
      () => response.writeHead(502).end('{"error":"the broker could not be asked"}'),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
