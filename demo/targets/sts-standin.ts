/**
 * A STAND-IN FOR AWS STS, for tests and the demo only: it speaks the STS Query API's
 * AssumeRoleWithWebIdentity and checks the web identity as AWS would for an IAM OIDC provider
 * (signature through the issuer's JWKS found by discovery, issuer, audience, expiry), the role's
 * trust (allowed role ARNs) and DurationSeconds (900 to 43200). The keys it hands out are random
 * and open nothing; it says so in every answer's ResponseMetadata. A signed action,
 * GetAccessKeyInfo, checks a session's keys as AWS would (SigV4 with the session's secret, its
 * session token, its expiry) so a drill can prove access, and so does GetCallerIdentity (what
 * `aws sts get-caller-identity` calls); `denyIssuedBefore` plays the
 * deny-by-`aws:TokenIssueTime` revocation recipe (broker/README.md), as does
 * `POST /stand-in/deny-issued-before` (form `RoleArn`, `IssuedBefore`) for a drill's
 * `--after-revoke` command.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parseAuthorization, signatureMatches, type SignedRequest } from './sigv4-verify.ts';

/** A session the stand-in handed out. */
export interface StandInSession {
  roleArn: string;
  subject: string;
  sourceIdentity: string | undefined;
  durationSeconds: number;
  accessKeyId: string;
  expiration: Date;
}

/** A running stand-in. */
export interface StsStandIn {
  url: string;
  sessions: StandInSession[];
  /** The revocation recipe: deny every session of `roleArn` issued before `at`. */
  denyIssuedBefore(roleArn: string, at: Date): void;
  close(): Promise<void>;
}

/** What the stand-in keeps to check a session's signed calls (never in `sessions`). */
interface SessionKeys {
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  /** The assumed-role ARN GetCallerIdentity names. */
  assumedRoleArn: string;
  sessionName: string;
  issuedAt: Date;
  expiration: Date;
}

/** The stand-in's state behind its handlers. */
interface StandInState {
  sessions: StandInSession[];
  keys: Map<string, SessionKeys>;
  denied: Map<string, Date>;
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function error(code: string, message: string): { status: number; body: string } {
  return {
    status: 400,
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

async function assume(
  form: URLSearchParams,
  opts: { issuer: string; audience: string; roleArns: readonly string[] },
  jwks: ReturnType<typeof createRemoteJWKSet>,
  state: StandInState,
): Promise<{ status: number; body: string }> {
  if (form.get('Action') !== 'AssumeRoleWithWebIdentity')
    return error('InvalidAction', 'this stand-in only speaks AssumeRoleWithWebIdentity');
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  const duration = Number(form.get('DurationSeconds') ?? '3600');
  if (!opts.roleArns.includes(roleArn))
    return error('AccessDenied', `not authorized to assume ${roleArn}`);
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
    return error('ValidationError', 'bad RoleSessionName');
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200)
    return error('ValidationError', 'DurationSeconds must be between 900 and 43200');
  let payload;
  try {
    ({ payload } = await jwtVerify(form.get('WebIdentityToken') ?? '', jwks, {
      issuer: opts.issuer,
      audience: opts.audience,
    }));
  } catch {
    return error('InvalidIdentityToken', 'the web identity token is not valid for this provider');
  }
  const expiration = new Date(Date.now() + duration * 1000);
  const sourceIdentity = payload['https://aws.amazon.com/source_identity'];
  const session: StandInSession = {
    roleArn,
    subject: String(payload.sub),
    sourceIdentity: typeof sourceIdentity === 'string' ? sourceIdentity : undefined,
    durationSeconds: duration,
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    expiration,
  };
  state.sessions.push(session);
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = `standin-not-aws-${randomBytes(48).toString('base64url')}`;
  const roleName = roleArn.split('/').pop() ?? 'role';
  const assumedRoleArn = `arn:aws:sts::000000000000:assumed-role/${roleName}/${sessionName}`;
  state.keys.set(session.accessKeyId, {
    secretAccessKey,
    sessionToken,
    roleArn,
    assumedRoleArn,
    sessionName,
    issuedAt: new Date(),
    expiration,
  });
  return {
    status: 200,
    body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>${xml(session.subject)}</SubjectFromWebIdentityToken><Audience>${xml(opts.audience)}</Audience><AssumedRoleUser><Arn>${xml(assumedRoleArn)}</Arn><AssumedRoleId>AROASTANDIN:${xml(sessionName)}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>${session.sourceIdentity ? `<SourceIdentity>${xml(session.sourceIdentity)}</SourceIdentity>` : ''}<Provider>${xml(opts.issuer)}</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>stand-in-not-aws-${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
  };
}

/** What a signed call answers once its keys are checked: GetAccessKeyInfo or GetCallerIdentity. */
function signedAnswer(action: string | null, keys: SessionKeys) {
  const requestId = `<ResponseMetadata><RequestId>stand-in-not-aws-${randomUUID()}</RequestId></ResponseMetadata>`;
  if (action === 'GetAccessKeyInfo')
    return {
      status: 200,
      body: `<GetAccessKeyInfoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetAccessKeyInfoResult><Account>000000000000</Account></GetAccessKeyInfoResult>${requestId}</GetAccessKeyInfoResponse>`,
    };
  if (action === 'GetCallerIdentity')
    return {
      status: 200,
      body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${xml(keys.assumedRoleArn)}</Arn><UserId>AROASTANDIN:${xml(keys.sessionName)}</UserId><Account>000000000000</Account></GetCallerIdentityResult>${requestId}</GetCallerIdentityResponse>`,
    };
  return error(
    'InvalidAction',
    'this stand-in checks keys with GetAccessKeyInfo or GetCallerIdentity',
  );
}

/** A call signed with a session's keys (SigV4): checked as AWS checks a request. */
function signedCall(request: SignedRequest, form: URLSearchParams, state: StandInState) {
  const auth = parseAuthorization(String(request.headers.authorization ?? ''));
  const keys = auth ? state.keys.get(auth.accessKeyId) : undefined;
  if (!auth || !keys || !signatureMatches(request, auth, keys.secretAccessKey))
    return error('SignatureDoesNotMatch', 'the request signature does not match');
  if (request.headers['x-amz-security-token'] !== keys.sessionToken)
    return error('InvalidClientTokenId', 'the security token included in the request is invalid');
  if (keys.expiration.getTime() <= Date.now())
    return error('ExpiredToken', 'the security token included in the request is expired');
  const deniedBefore = state.denied.get(keys.roleArn);
  if (deniedBefore && keys.issuedAt < deniedBefore)
    return {
      status: 403,
      body: error('AccessDenied', 'explicit deny: aws:TokenIssueTime before the revocation').body,
    };
  return signedAnswer(form.get('Action'), keys);
}

type Answer = { status: number; body: string };

/** Routes one request: the revocation recipe, a signed call, or AssumeRoleWithWebIdentity. */
function route(
  request: IncomingMessage,
  body: string,
  state: StandInState,
  assumeFor: (form: URLSearchParams) => Promise<Answer>,
): Promise<Answer> {
  const [path = '/', query = ''] = (request.url ?? '/').split('?');
  const form = new URLSearchParams(body || query);
  if (path === '/stand-in/deny-issued-before') {
    const at = new Date(form.get('IssuedBefore') ?? '');
    if (Number.isNaN(at.getTime()))
      return Promise.resolve(error('ValidationError', 'IssuedBefore'));
    state.denied.set(form.get('RoleArn') ?? '', at);
    return Promise.resolve({ status: 200, body: '<Denied/>' });
  }
  if (request.headers.authorization !== undefined) {
    const signed = { method: request.method ?? 'GET', path, query, headers: request.headers, body };
    return Promise.resolve(signedCall(signed, form, state));
  }
  return assumeFor(form);
}

/** Starts the stand-in on 127.0.0.1, trusting the broker at `issuer` for `roleArns`. */
export async function startStsStandIn(opts: {
  /** The broker's URL (its `iss`); a function when the broker starts after the stand-in. */
  issuer: string | (() => string);
  audience?: string;
  roleArns: readonly string[];
}): Promise<StsStandIn> {
  // The issuer's keys are found by discovery at the first request (as AWS does), so the stand-in
  // may start before the broker.
  const issuer = () => (typeof opts.issuer === 'string' ? opts.issuer : opts.issuer());
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const keys = async () => {
    if (!jwks) {
      const doc = (await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json()) as {
        jwks_uri: string;
      };
      jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    }
    return jwks;
  };
  const state: StandInState = { sessions: [], keys: new Map(), denied: new Map() };
  const config = {
    issuer: '',
    audience: opts.audience ?? 'sts.amazonaws.com',
    roleArns: opts.roleArns,
  };
  const assumeFor = (form: URLSearchParams) =>
    keys()
      .then((found) => assume(form, { ...config, issuer: issuer() }, found, state))
      .catch(() => error('IDPCommunicationError', 'the identity provider could not be reached'));
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void route(request, body, state, assumeFor).then(({ status, body: text }) => {
        response.writeHead(status, { 'content-type': 'text/xml' }).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions: state.sessions,
    denyIssuedBefore: (roleArn, at) => void state.denied.set(roleArn, at),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
