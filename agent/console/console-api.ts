/** `POST /api/<method>`: the renderer subset of the agent API, parsed with the contract both ways. */
import type { FastifyInstance } from 'fastify';
import { authenticatedRoute } from '../../http-gate/route-access.ts';
import { isRendererMethod, type RendererApi } from '../../protocol/agent-api.ts';
import { isExpectedOrigin, singleHeader } from './console-auth.ts';
import { sendFailure } from './console-headers.ts';
import { callRendererMethod, parseRendererInput } from './renderer-call.ts';

/** Largest accepted API request body. */
export const maxApiBodyBytes = 64 * 1024;

/** Registers the API routes; the access gate checks the session on each before it runs. */
export function registerApiRoutes(app: FastifyInstance, api: RendererApi, origin: () => string) {
  app.post<{ Params: { method: string } }>(
    '/api/:method',
    { config: authenticatedRoute },
    async (req, reply) => {
      if (!isExpectedOrigin(singleHeader(req.headers.origin), origin())) {
        return sendFailure(
          reply,
          'forbidden',
          'Cross-origin calls to the console API are refused.',
        );
      }
      const method = req.params.method;
      // Secret-bearing methods such as exportGrant have no route here at all.
      if (!isRendererMethod(method)) {
        return sendFailure(reply, 'not_found', 'No such console API method.');
      }
      const parsedInput = parseRendererInput(method, req.body);
      if (!parsedInput.ok)
        return reply.code(400).header('cache-control', 'no-store').send(parsedInput);
      const answer = await callRendererMethod(api, method, parsedInput.value);
      return reply.code(200).header('cache-control', 'no-store').send(answer);
    },
  );
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: '/api/:method',
    config: authenticatedRoute,
    handler: (_req, reply) =>
      sendFailure(reply, 'bad_request', 'The console API takes POST only.', 405),
  });
}
