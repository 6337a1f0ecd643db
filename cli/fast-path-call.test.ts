import { describe, expect, it } from 'vitest';
import { answerValue } from './fast-path-call.ts';

const response = (head: string, body: string) =>
  Buffer.from(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

describe('answerValue (the fast path reads HTTP by hand, and defers on anything unusual)', () => {
  it('answers the value of an ok answer, counting the body in bytes', () => {
    const body = JSON.stringify({ ok: true, value: { role: 'ordérs', n: 1 } });
    expect(answerValue(response('HTTP/1.1 200 OK', body))).toEqual({ role: 'ordérs', n: 1 });
  });

  it('answers null for a failure, another status, a cut or chunked body, or no JSON', () => {
    const failure = JSON.stringify({ ok: false, error: { code: 'not_found', message: 'x' } });
    expect(answerValue(response('HTTP/1.1 200 OK', failure))).toBeNull();
    expect(answerValue(response('HTTP/1.1 404 Not Found', failure))).toBeNull();
    const cut = response('HTTP/1.1 200 OK', JSON.stringify({ ok: true, value: 1 }));
    expect(answerValue(cut.subarray(0, cut.length - 2))).toBeNull();
    const chunked = Buffer.from(
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{}\r\n\r\n0\r\n\r\n',
    );
    expect(answerValue(chunked)).toBeNull();
    expect(answerValue(response('HTTP/1.1 200 OK', 'not json'))).toBeNull();
    expect(answerValue(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBeNull();
  });
});
