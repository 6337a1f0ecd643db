/** `window.hourglass` for the local console: one POST per method, every answer parsed with the contract. */
import {
  agentContract,
  rendererMethods,
  type RendererApi,
  type RendererMethod,
} from '../protocol/agent-api.ts';
import { fail, resultSchema, type Result } from '../protocol/result.ts';

/** The `fetch` the bridge uses; injected so tests can hand in a real server's fetch. */
export type FetchPort = (input: string, init: RequestInit) => Promise<Response>;

async function call(
  fetchPort: FetchPort,
  method: RendererMethod,
  input: unknown,
): Promise<Result<unknown>> {
  let response: Response;
  try {
    response = await fetchPort(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
  } catch {
    return fail(
      'unavailable',
      'The local agent is not answering. Check that `hourglass agent` is still running.',
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fail('internal', `The local agent answered ${response.status} without a readable body.`);
  }
  const parsed = resultSchema(agentContract[method].output).safeParse(body);
  if (!parsed.success) {
    return fail('internal', `The local agent's answer to ${method} did not match the contract.`);
  }
  return parsed.data;
}

/** Builds the renderer API over HTTP to the console server that served this page. */
export function createConsoleBridge(
  fetchPort: FetchPort = (i, init) => fetch(i, init),
): RendererApi {
  const api: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
  for (const method of rendererMethods) api[method] = (input) => call(fetchPort, method, input);
  return api as unknown as RendererApi;
}

/** Installs the console bridge as `window.hourglass` unless a host (Electron preload) already did. */
export function installConsoleBridge(target: { hourglass?: RendererApi }): RendererApi {
  target.hourglass ??= createConsoleBridge();
  return target.hourglass;
}
