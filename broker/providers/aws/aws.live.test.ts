import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCredentialSchema, credentialsResponseSchema } from '../../../protocol/index.ts';
import type { DemoIdp } from '../../../demo/idp.ts';
import { startStsStandIn, type StsStandIn } from '../../../demo/targets/sts-standin.ts';
import { credentialProcessJson } from '../../../cli/credential-commands.ts';
import { demoTokens, liveChecks } from '../../http/live-checks.ts';
import { startTestBroker, startTestIdp } from '../../http/live-harness.ts';
import type { RunningBroker } from '../../start-broker.ts';
import { tempDir } from '../../test-support.ts';

// The STS here is a stand-in started by this test, NOT AWS: it speaks the STS Query API and
// verifies the web identity against the broker's JWKS the way AWS does for an OIDC provider.
const ROLE = 'arn:aws:iam::123456789012:role/orders-readonly';
let idp: DemoIdp;
let broker: RunningBroker;
let sts: StsStandIn;
let alice: string;
let check: ReturnType<typeof liveChecks>;

beforeAll(async () => {
  const policyPath = join(tempDir(), 'policy.yaml');
  const role = (name: string, arn: string) =>
    `  - name: ${name}\n    provider: { kind: aws, target: sts, roleArn: "${arn}" }\n    eligible: { groups: [engineers] }\n    maxDuration: 2h\n    reason: { required: false }\n`;
  writeFileSync(
    policyPath,
    `tenant: t\nroles:\n${role('aws-ro', ROLE)}${role('aws-untrusted', 'arn:aws:iam::123456789012:role/not-trusted')}`,
  );
  let brokerUrl = '';
  sts = await startStsStandIn({ issuer: () => brokerUrl, roleArns: [ROLE] });
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: {
      policyPath,
      targets: { sts: { kind: 'aws', region: 'eu-west-1', endpoint: sts.url } },
    },
  });
  brokerUrl = broker.url;
  ({ alice } = await demoTokens(idp));
  check = liveChecks(broker);
}, 30_000);
afterAll(async () => {
  await broker?.close();
  await idp?.close();
  await sts?.close();
});

async function fetchAws(role: string, seconds: number) {
  const grant = check.grantOf(
    await check.post(alice, '/v1/requests', { role, durationSeconds: seconds, reason: '' }),
    201,
  );
  return { grant, answer: await check.post(alice, `/v1/grants/${grant.id}/credentials`, {}) };
}

describe('aws provider against an STS stand-in (not AWS)', () => {
  it('assumes the role with a broker web identity; the session is bounded by the grant', async () => {
    const { grant, answer } = await fetchAws('aws-ro', 3600);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const credential = awsCredentialSchema.parse(
      credentialsResponseSchema.parse(answer.body).credential,
    );
    expect(credential).toMatchObject({ roleArn: ROLE, region: 'eu-west-1' });
    const session = sts.sessions.at(-1);
    expect(session).toMatchObject({ roleArn: ROLE, subject: 'alice', sourceIdentity: 'alice' });
    expect(session?.durationSeconds).toBeGreaterThan(3500);
    expect(session?.durationSeconds).toBeLessThanOrEqual(3600);
    expect(Date.parse(credential.expiration)).toBeLessThanOrEqual(
      Date.parse(grant.expiresAt ?? ''),
    );
    const json = credentialProcessJson(
      {
        AWS_ACCESS_KEY_ID: credential.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
        AWS_SESSION_TOKEN: credential.sessionToken,
        AWS_CREDENTIAL_EXPIRATION: credential.expiration,
      },
      Date.now(),
    );
    expect(json.ok && JSON.parse(json.value)).toEqual({
      Version: 1,
      AccessKeyId: credential.accessKeyId,
      SecretAccessKey: credential.secretAccessKey,
      SessionToken: credential.sessionToken,
      Expiration: credential.expiration,
    });
    // The stand-in checks the session's keys as AWS would: signature, session token.
    const call = (keys: { secretAccessKey: string; sessionToken?: string }) =>
      new STSClient({
        region: 'eu-west-1',
        endpoint: sts.url,
        maxAttempts: 1,
        credentials: { accessKeyId: credential.accessKeyId, ...keys },
      })
        .send(new GetAccessKeyInfoCommand({ AccessKeyId: credential.accessKeyId }))
        .then(
          (r) => r.Account,
          (e: unknown) => (e instanceof Error ? e.name : 'failed'),
        );
    const { secretAccessKey, sessionToken } = credential;
    expect(await call({ secretAccessKey, sessionToken })).toBe('000000000000');
    expect(await call({ secretAccessKey: 'forged', sessionToken })).toBe('SignatureDoesNotMatch');
    expect(await call({ secretAccessKey })).toBe('InvalidClientTokenId');
    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, {}));
  });

  it('under 900 s left: STS is asked for 900 s, the credential still ends at the grant deadline', async () => {
    const { grant, answer } = await fetchAws('aws-ro', 600);
    const credential = awsCredentialSchema.parse(
      credentialsResponseSchema.parse(answer.body).credential,
    );
    expect(sts.sessions.at(-1)?.durationSeconds).toBe(900);
    expect(credential.expiration).toBe(new Date(grant.expiresAt ?? '').toISOString());
  });

  it('a role STS does not trust the broker for: 503 naming STS, no keys', async () => {
    const { answer } = await fetchAws('aws-untrusted', 600);
    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).toMatch(/STS refused/);
  });

  it('credential-process never answers a past Expiration', () => {
    const past = credentialProcessJson(
      {
        AWS_ACCESS_KEY_ID: 'a',
        AWS_SECRET_ACCESS_KEY: 'b',
        AWS_SESSION_TOKEN: 'c',
        AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() - 1000).toISOString(),
      },
      Date.now(),
    );
    expect(past.ok).toBe(false);
  });
});
