/**
 * AWS Signature Version 4 checked the way AWS checks it, for the STS stand-in: the canonical
 * request rebuilt from what arrived (method, path, query, the signed headers, the body's hash),
 * signed again with the session's secret key, compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What arrived. Header names lower-case (as Node gives them). */
export interface SignedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  scope: string;
  signedHeaders: string[];
  signature: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string) =>
  createHmac('sha256', key).update(text).digest();

/** Parses the Authorization header; null when it is not SigV4. */
export function parseAuthorization(header: string | undefined): SigV4Authorization | null {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header ?? '',
    );
  if (!match) return null;
  const [, accessKeyId = '', scope = '', signed = '', signature = ''] = match;
  return { accessKeyId, scope, signedHeaders: signed.split(';'), signature };
}

const headerValue = (v: string | string[] | undefined) =>
  (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('='))
    .sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k = '', v = '']) => `${k}=${v}`)
    .join('&');
}

/** Whether `auth`'s signature over `request` was made with `secretAccessKey`. */
export function signatureMatches(
  request: SignedRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
): boolean {
  const amzDate = headerValue(request.headers['x-amz-date']);
  const [date = '', region = '', service = '', terminal = ''] = auth.scope.split('/');
  if (terminal !== 'aws4_request' || !amzDate.startsWith(date)) return false;
  const canonical = [
    request.method,
    request.path || '/',
    canonicalQuery(request.query),
    auth.signedHeaders.map((h) => `${h}:${headerValue(request.headers[h])}\n`).join(''),
    auth.signedHeaders.join(';'),
    sha256(request.body),
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, auth.scope, sha256(canonical)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>(
    (k, part) => hmac(k, part),
    Buffer.from(`AWS4${secretAccessKey}`),
  );
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
