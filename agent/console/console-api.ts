/** `POST /api/<method>`: the renderer subset of the agent API, parsed with the contract both ways. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRendererMethod, type RendererApi } from '../../protocol/agent-api.ts';
import { callRendererMethod, parseRendererInput } from './renderer-call.ts';
import { readBody, sendFailure, sendJson } from './console-http.ts';

/** Largest accepted API request body. */
export const maxApiBodyBytes = 64 * 1024;

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
  const parsedInput = parseRendererInput(method, input);
  if (!parsedInput.ok) {
    sendJson(res, 400, parsedInput);
    return;
  }
  sendJson(res, 200, await callRendererMethod(api, method, parsedInput.value));
}
