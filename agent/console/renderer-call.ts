/** One renderer-method call, shared by the console server and Electron IPC: contract in, contract out. */
import { agentContract, type RendererApi, type RendererMethod } from '../../protocol/agent-api.ts';
import { fail, ok, resultSchema, type Result } from '../../protocol/result.ts';

type AnyHandler = (input: unknown) => Promise<Result<unknown>>;

/** Parses untrusted input for `method` with its contract. */
export function parseRendererInput(method: RendererMethod, input: unknown): Result<unknown> {
  const parsed = agentContract[method].input.safeParse(input);
  return parsed.success
    ? ok(parsed.data)
    : fail('bad_request', `The input for ${method} does not match the contract.`);
}

/**
 * Calls the handler with already-parsed input and parses its answer with the contract, so a
 * field the contract does not name (a secret added by mistake) never leaves the process.
 */
export async function callRendererMethod(
  api: RendererApi,
  method: RendererMethod,
  parsedInput: unknown,
): Promise<Result<unknown>> {
  let answer: Result<unknown>;
  try {
    answer = await (api[method] as AnyHandler)(parsedInput);
  } catch {
    return fail('internal', `${method} failed inside the agent; see the agent log.`);
  }
  const parsed = resultSchema(agentContract[method].output).safeParse(answer);
  return parsed.success
    ? parsed.data
    : fail('internal', `The agent's answer to ${method} did not match the contract.`);
}
