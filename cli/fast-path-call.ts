/**
 * One local-API call for the fast path, over a raw unix-socket connection: HTTP/1.1 written and
 * read by hand, because loading and warming `node:http`'s client costs a cold process more than
 * the call itself. Anything but a plain `200` with a `content-length` body answers null, and the
 * full CLI (with its real client and its messages) runs instead.
 */
import { connect } from 'node:net';

const TIMEOUT_MS = 5000;
const HEAD_END = '\r\n\r\n';

/** The `value` of an `{ ok: true, value }` answer in a raw HTTP response; null for anything else. */
export function answerValue(raw: Buffer): unknown {
  const split = raw.indexOf(HEAD_END);
  if (split < 0) return null;
  const head = raw.subarray(0, split).toString('latin1').toLowerCase();
  if (!head.startsWith('http/1.1 200 ') || head.includes('\r\ntransfer-encoding:')) return null;
  const length = /\r\ncontent-length: *(\d+)\r?(?:\n|$)/.exec(head)?.[1];
  const body = raw.subarray(split + HEAD_END.length);
  if (length === undefined || body.length !== Number(length)) return null;
  try {
    const answer = JSON.parse(body.toString('utf8')) as { ok?: unknown; value?: unknown };
    return answer.ok === true ? (answer.value ?? null) : null;
  } catch {
    return null;
  }
}

/** Calls `method` of the agent listening on `socket`; null when it fails in any way. */
export function callAgent(socket: string, method: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const body = JSON.stringify(input);
    const chunks: Buffer[] = [];
    const conn = connect(socket);
    const give = (value: unknown) => {
      conn.destroy();
      resolve(value);
    };
    conn.setTimeout(TIMEOUT_MS, () => give(null));
    conn.on('data', (chunk: Buffer) => chunks.push(chunk));
    conn.on('error', () => give(null));
    // `connection: close`: the agent ends the stream after its answer.
    conn.on('end', () => give(answerValue(Buffer.concat(chunks))));
    conn.write(
      `POST /v1/${method} HTTP/1.1\r\nhost: agent\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
