/** `POST /api/<method>`: the renderer subset of the agent API, parsed with the contract both ways. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  agentContract,
  isRendererMethod,
  type RendererApi,
  type RendererMethod,
} from '../../protocol/agent-api.ts';
import { fail, resultSchema, type Result } from '../../protocol/result.ts';
import { readBody, sendFailure, sendJson } from './console-http.ts';

/** Largest accepted API request body. */
export const maxApiBodyBytes = 64 * 1024;

type AnyHandler = (input: unknown) => Promise<Result<unknown>>;

async function invoke(
  api: RendererApi,
  method: RendererMethod,
  input: unknown,
): Promise<Result<unknown>> {
  const parsedInput = agentContract[method].input.safeParse(input);
  if (!parsedInput.success) {
    return fail('bad_request', `The input for ${method} does not match the contract.`);
  }
  let answer: Result<unknown>;
  try {
    answer = await (api[method] as AnyHandler)(parsedInput.data);
  } catch {
    return fail('internal', `${method} failed inside the agent; see the agent log.`);
  }
  // Parse the answer too: fields the contract does not name (a secret added by mistake) are stripped.
  const parsedOutput = resultSchema(agentContract[method].output).safeParse(answer);
  return parsedOutput.success
    ? parsedOutput.data
    : fail('internal', `The agent's answer to ${method} did not match the contract.`);
}

/** Handles one API call; the caller has already checked Host, session cookie and Origin. */
export async function handleApiCall(
  api: RendererApi,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Secret-bearing methods such as exportGrant have no route here at all.
  if (!isRendererMethod(method)) {
    sendFailure(res, 'not_found', 'No such console API method.');
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    sendFailure(
      res,
      'bad_request',
      'Send the console API a JSON body (content-type: application/json).',
      415,
    );
    return;
  }
  const body = await readBody(req, maxApiBodyBytes);
  if (body.status === 'error') {
    const tooLarge = body.reason === 'too_large';
    sendFailure(
      res,
      'bad_request',
      tooLarge ? 'The request body is larger than 64 KiB.' : 'The request body was cut off.',
      tooLarge ? 413 : 400,
    );
    return;
  }
  let input: unknown;
  try {
    input = body.text.length === 0 ? {} : JSON.parse(body.text);
  } catch {
    sendFailure(res, 'bad_request', 'The request body is not valid JSON.');
    return;
  }
  const parsedInput = agentContract[method].input.safeParse(input);
  if (!parsedInput.success) {
    sendFailure(res, 'bad_request', `The input for ${method} does not match the contract.`);
    return;
  }
  sendJson(res, 200, await invoke(api, method, parsedInput.data));
}
