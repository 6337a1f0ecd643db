/**
 * Two broker processes (`hourglass-broker serve`, as deployed) on one PostgreSQL: 1,000 short
 * grants requested across both expire with each one expired and revoked exactly once, and an
 * event stream on process A sees an approval made on process B. Runs in the PostgreSQL pass of
 * the broker suite (`HOURGLASS_TEST_STORE=postgres`, as `npm test` runs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerEventSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import { startBenchIssuer, type BenchIssuer } from '../../bench/bench-issuer.ts';
import { TEST_BACKEND, freshPgUrl, tempDir } from '../test-support.ts';
import { waitFor } from './live-harness.ts';
import { openSse, type SseStream } from './sse-test-client.ts';

const BIN = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const AUDIENCE = 'urn:hourglass:broker';
const GRANTS = 1000;
const POLICY = `tenant: t
roles:
  - name: short
    provider: { kind: jwt, audience: https://api.example }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    reason: { required: false }
  - name: gated
    provider: { kind: jwt, audience: https://api.example }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    reason: { required: false }
    approval: { required: 1, from: [approvers] }
`;

interface Process {
  child: ChildProcess;
  url: string;
}

function serve(config: string): Promise<Process> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`broker exited ${String(code)}:\n${out}`)));
  });
}

async function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const TITLE =
  TEST_BACKEND === 'postgres'
    ? 'two broker processes on one PostgreSQL'
    : 'two broker processes on one PostgreSQL: runs in the PostgreSQL pass (HOURGLASS_TEST_STORE=postgres)';

describe.skipIf(TEST_BACKEND !== 'postgres')(TITLE, () => {
  let issuer: BenchIssuer;
  let databaseUrl: string;
  const processes: Process[] = [];
  const streams: SseStream[] = [];

  beforeAll(async () => {
    issuer = await startBenchIssuer();
    databaseUrl = await freshPgUrl();
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    const config = join(dir, 'broker.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        issuers: [{ issuer: issuer.issuer, audience: AUDIENCE }],
        policyPath: join(dir, 'policy.yaml'),
        signingKeyPath: join(dir, 'key.jwk'),
        databaseUrl,
        rateLimitPerMinute: 100_000,
        logLevel: 'warn',
      }),
    );
    // One at a time: the second migrates an already migrated schema.
    processes.push(await serve(config));
    processes.push(await serve(config));
  }, 60_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(
      processes.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await issuer?.close();
  });

  it('expires and revokes each of 1,000 short grants exactly once', async () => {
    const tokens = await issuer.tokens(GRANTS, AUDIENCE);
    // Requested across both processes, a few at a time; each grant runs for 3 s.
    for (let i = 0; i < GRANTS; i += 50) {
      await Promise.all(
        tokens.slice(i, i + 50).map(async (token, j) => {
          const target = processes[(i + j) % 2];
          const answer = await post(`${target?.url}/v1/requests`, token, {
            role: 'short',
            durationSeconds: 3,
            reason: 'replica expiry test',
          });
          expect(answer.status, await answer.clone().text()).toBe(201);
        }),
      );
    }
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await waitFor(
        async () => {
          const { rows } = await client.query<{ n: string }>(
            "select count(*) as n from outbox where action = 'revoke' and done_at is not null",
          );
          return Number(rows[0]?.n) >= GRANTS ? true : undefined;
        },
        'every revocation carried out',
        60_000,
      );
      const expired = await client.query<{ grant_id: string }>(
        "select grant_id from audit where event = 'expired'",
      );
      expect(expired.rows).toHaveLength(GRANTS);
      expect(new Set(expired.rows.map((r) => r.grant_id)).size).toBe(GRANTS);
      const revokes = await client.query<{ grant_id: string; attempts: number }>(
        "select grant_id, attempts from outbox where action = 'revoke'",
      );
      expect(revokes.rows).toHaveLength(GRANTS);
      expect(new Set(revokes.rows.map((r) => r.grant_id)).size).toBe(GRANTS);
      // None failed (a clash between the processes would have shown as a failed attempt).
      expect(revokes.rows.filter((r) => Number(r.attempts) !== 0)).toEqual([]);
      const active = await client.query("select id from grants where status = 'active'");
      expect(active.rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 120_000);

  it('streams on process A an approval made on process B', async () => {
    const [a, b] = processes;
    if (!a || !b) throw new Error('two processes expected');
    const [requester] = await issuer.tokens(1, AUDIENCE, { subjectPrefix: 'requester-' });
    const [approver] = await issuer.tokens(1, AUDIENCE, {
      subjectPrefix: 'approver-',
      groups: ['engineers', 'approvers'],
    });
    if (!requester || !approver) throw new Error('no tokens');
    const stream = await openSse(`${a.url}/v1/events`, requester);
    streams.push(stream);
    await waitFor(() => stream.frames.find((f) => f.event === 'ready'), 'ready on A');

    const created = await post(`${a.url}/v1/requests`, requester, {
      role: 'gated',
      durationSeconds: 600,
      reason: 'replica stream test',
    });
    expect(created.status).toBe(201);
    const { grant } = grantResponseSchema.parse(await created.json());
    const approved = await post(`${b.url}/v1/grants/${grant.id}/approve`, approver, {});
    expect(approved.status, await approved.clone().text()).toBe(200);

    const seen = await waitFor(
      () =>
        stream.frames
          .filter((f) => f.event === 'grant')
          .map((f) => brokerEventSchema.parse(JSON.parse(f.data ?? '')))
          .find((e) => e.grant.id === grant.id && e.grant.status === 'active'),
      'the approval made on B, streamed on A',
      10_000,
    );
    expect(seen.audience).toBe('owner');
  });
});
