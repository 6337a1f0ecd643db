/**
 * A STAND-IN FOR AWS STS, for tests and the demo only: it speaks the STS Query API's
 * AssumeRoleWithWebIdentity and checks the web identity as AWS would for an IAM OIDC provider
 * (signature through the issuer's JWKS found by discovery, issuer, audience, expiry), the role's
 * trust (allowed role ARNs) and DurationSeconds (900 to 43200). The keys it hands out are random
 * and open nothing; it says so in every answer's ResponseMetadata.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

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
  close(): Promise<void>;
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
  sessions: StandInSession[],
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
  sessions.push(session);
  const roleName = roleArn.split('/').pop() ?? 'role';
  return {
    status: 200,
    body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>${xml(session.subject)}</SubjectFromWebIdentityToken><Audience>${xml(opts.audience)}</Audience><AssumedRoleUser><Arn>${xml(`arn:aws:sts::000000000000:assumed-role/${roleName}/${sessionName}`)}</Arn><AssumedRoleId>AROASTANDIN:${xml(sessionName)}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey><SessionToken>standin-not-aws-${randomBytes(48).toString('base64url')}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>${session.sourceIdentity ? `<SourceIdentity>${xml(session.sourceIdentity)}</SourceIdentity>` : ''}<Provider>${xml(opts.issuer)}</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>stand-in-not-aws-${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
  };
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
  const sessions: StandInSession[] = [];
  const config = {
    issuer: '',
    audience: opts.audience ?? 'sts.amazonaws.com',
    roleArns: opts.roleArns,
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body || (request.url ?? '').split('?')[1] || '');
      void keys()
        .then((found) => assume(form, { ...config, issuer: issuer() }, found, sessions))
        .catch(() => error('IDPCommunicationError', 'the identity provider could not be reached'))
        .then(({ status, body: answer }) => {
          response.writeHead(status, { 'content-type': 'text/xml' }).end(answer);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
