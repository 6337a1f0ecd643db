/**
 * The witnesses outside the database, as they run: the config refuses a witness that would die
 * with the database, stdout gets one JSON line per checkpoint, the webhook gets a signed POST and
 * never follows a redirect (which would replay the signed body elsewhere), and a witness that was
 * down is caught up in order, so its chain has no hole.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config-file.ts';
import { loadOrCreateSigningKey } from '../credentials/signing-key.ts';
import {
  openTestDatabase,
  ManualClock,
  tempDir,
  testLifecycle,
  testUser,
} from '../test-support.ts';
import { checkpointVerifier } from './checkpoint.ts';
import { startCheckpointWriter, type WitnessCursor } from './checkpoint-writer.ts';
import { parseWitness, verifyWitness, type WitnessedCheckpoint } from './witness.ts';
import {
  openWitnessFile,
  stdoutWitness,
  webhookWitness,
  type CheckpointWitness,
} from './witness-sinks.ts';

const t0 = new Date('2030-01-01T00:00:00Z');
const issuers = ['issuers:', '  - issuer: "http://127.0.0.1:9/"', '    audience: urn:b'];

async function configErrors(lines: string[]): Promise<string[]> {
  const dir = tempDir();
  const path = join(dir, 'broker.yaml');
  writeFileSync(path, lines.join('\n'));
  const result = await loadConfigFile(path, {});
  if (result.status === 'success') throw new Error('the config was accepted');
  return result.message.split('\n').map((line) => line.replace(`${path}:`, ''));
}

const checkpoint: WitnessedCheckpoint = {
  seq: 1,
  at: t0.toISOString(),
  headSeq: 2,
  headHash: 'a'.repeat(64),
  prev: '0'.repeat(64),
  signature: 'h.p.s',
};

async function receiver(answer: (req: IncomingMessage) => { status: number; location?: string }) {
  const bodies: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body, headers: req.headers });
      const { status, location } = answer(req);
      res.writeHead(status, location ? { location } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, bodies, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('audit witnesses', () => {
  it('config: a witness file on the database file is refused, and so is an empty witness, with line and field', async () => {
    expect(
      await configErrors([
        ...issuers,
        'policyPath: p.yaml',
        'signingKeyPath: k.jwk',
        'databasePath: broker.sqlite',
        'auditWitness:',
        '  file: ./broker.sqlite-wal',
      ]),
    ).toEqual([
      '8:9: auditWitness.file: the witness file is the database file or its journal; put it on another path (another disk or host mount) so it survives the database',
    ]);
    expect(
      await configErrors([
        ...issuers,
        'policyPath: p.yaml',
        'signingKeyPath: k.jwk',
        'databasePath: b.sqlite',
        'auditWitness: { stdout: false }',
      ]),
    ).toEqual([
      '7:15: auditWitness: name at least one witness: file (a path), stdout: true, or webhook (url)',
    ]);
  });

  it('a witness file others may write to is refused: a witness anyone can edit proves nothing', () => {
    const path = join(tempDir(), 'witness.jsonl');
    writeFileSync(path, '');
    chmodSync(path, 0o666);
    expect(() => openWitnessFile(path, undefined)).toThrow(
      `audit witness ${path}: writable by group or others; chmod 600 it`,
    );
  });

  it('stdout gets one JSON line per checkpoint, for a log shipper', async () => {
    const lines: string[] = [];
    await stdoutWitness('prod-eu', (line) => lines.push(line)).keep(checkpoint);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(parseWitness(lines[0] ?? '', 'stdout')).toMatchObject({
      status: 'success',
      lines: [{ type: 'hourglass-audit-checkpoint', tenant: 'prod-eu', seq: 1, headSeq: 2 }],
    });
  });

  it('the webhook gets an HMAC-signed POST, and a redirect (replaying the signed body elsewhere) is refused', async () => {
    const target = await receiver((req) =>
      req.url === '/moved' ? { status: 307, location: '/elsewhere' } : { status: 204 },
    );
    try {
      const now = () => t0;
      await webhookWitness({ url: `${target.url}/hook`, secret: 's3cret' }, undefined, now).keep(
        checkpoint,
      );
      const [sent] = target.bodies;
      const timestamp = String(t0.getTime() / 1000);
      const mac = createHmac('sha256', 's3cret')
        .update(`${timestamp}.${sent?.body ?? ''}`)
        .digest('hex');
      expect(sent?.headers['x-hourglass-signature']).toBe(`sha256=${mac}`);
      expect(JSON.parse(sent?.body ?? '')).toMatchObject({
        event: 'audit_checkpoint',
        checkpoint: { seq: 1 },
      });
      await expect(
        webhookWitness({ url: `${target.url}/moved` }, undefined, now).keep(checkpoint),
      ).rejects.toThrow(/audit witness webhook 127\.0\.0\.1:\d+/);
      expect(target.bodies.map((b) => b.path)).toEqual(['/hook', '/moved']);
    } finally {
      await target.close();
    }
  });

  it('a witness that was down is caught up in order: its chain has no hole', async () => {
    const db = await openTestDatabase();
    const dir = tempDir();
    const key = await loadOrCreateSigningKey(join(dir, 'key.jwk'));
    const clock = new ManualClock(t0);
    const { service, repo } = testLifecycle(db, clock);
    const file = openWitnessFile(join(dir, 'witness.jsonl'), undefined);
    let down = true;
    const flaky: CheckpointWitness = {
      name: 'witness file (down for a while)',
      keep: (c) => (down ? Promise.reject(new Error('disk full')) : file.keep(c)),
      close: () => file.close(),
    };
    const errors: string[] = [];
    const cursor: WitnessCursor = { witness: flaky, after: 0 };
    const writer = startCheckpointWriter({
      repo,
      key,
      clock,
      intervalMs: 3_600_000,
      onError: (error) => errors.push(error instanceof Error ? error.message : 'unknown'),
      witnesses: [cursor],
    });
    for (let i = 1; i <= 3; i += 1) {
      if (i === 3) down = false;
      await service.create(
        () => ({
          kind: 'request',
          id: `g${i}`,
          tenant: 't',
          body: { role: 'ro', durationSeconds: 600, reason: 'r' },
          idempotencyKey: null,
          live: null,
        }),
        testUser(`u${i}`, ['g']),
      );
      clock.advance(1000);
      await writer.checkpoint();
    }
    writer.stop();
    flaky.close();
    await db.destroy();
    expect(errors).toEqual(['disk full', 'disk full']);
    const parsed = parseWitness(readFileSync(join(dir, 'witness.jsonl'), 'utf8'), 'w');
    if (parsed.status === 'error') throw new Error(parsed.message);
    expect(parsed.lines.map((l) => l.headSeq)).toEqual([2, 4, 6]);
    const verified = await verifyWitness(
      parsed.lines,
      await checkpointVerifier(key.publicJwk),
      'w',
    );
    expect(verified.problems).toEqual([]);
    expect(cursor.after).toBe(parsed.lines.at(-1)?.seq);
  });
});
