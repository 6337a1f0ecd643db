import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openBrokerDatabase } from '../store/open-database.ts';
import { appendAudit } from './append-audit.ts';
import { canonicalJson, findChainBreak } from './audit-chain.ts';
import { verifyAuditLog } from './verify.ts';
import { tempDir } from '../test-support.ts';

const bin = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));

async function seededDatabase(records: number): Promise<string> {
  const path = join(tempDir(), 'audit.sqlite');
  const db = await openBrokerDatabase(path);
  for (let i = 1; i <= records; i += 1) {
    await db.transaction().execute((trx) =>
      appendAudit(trx, {
        at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
        event: 'requested',
        grantId: `g${i}`,
        actor: 'https://idp#alice',
        role: 'ro',
        details: { reason: `r${i}` },
      }),
    );
  }
  await db.destroy();
  return path;
}

/** Opens the file as an attacker with write access would: dropping the append-only triggers. */
function tamperable(path: string): Database.Database {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  return raw;
}

async function verifyFile(path: string) {
  const db = await openBrokerDatabase(path);
  try {
    return await verifyAuditLog(db);
  } finally {
    await db.destroy();
  }
}

describe('audit hash chain', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('refuses to update or delete an audit record through SQL', async () => {
    const path = await seededDatabase(2);
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE audit SET actor = 'x' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => raw.prepare('DELETE FROM audit WHERE seq = 2').run()).toThrow(/append-only/);
    expect(raw.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 2 });
    raw.close();
    expect(await verifyFile(path)).toEqual({ ok: true, records: 2 });
  });

  it('an untouched log verifies', async () => {
    expect(await verifyFile(await seededDatabase(5))).toEqual({ ok: true, records: 5 });
  });

  it('names the first broken record after a row is edited in SQLite', async () => {
    const path = await seededDatabase(5);
    const raw = tamperable(path);
    raw.prepare('UPDATE audit SET details = ? WHERE seq = 3').run('{"reason":"nothing to see"}');
    raw.prepare("UPDATE audit SET actor = 'x' WHERE seq = 4").run();
    raw.close();
    const result = await verifyFile(path);
    expect(result).toMatchObject({ ok: false, brokenSeq: 3 });
    expect(!result.ok && result.message).toBe(
      'audit record #3 (requested, grant g3) is broken: its contents do not match its hash',
    );
  });

  it('names the record after a deleted one', async () => {
    const path = await seededDatabase(4);
    const raw = tamperable(path);
    raw.prepare('DELETE FROM audit WHERE seq = 2').run();
    raw.close();
    expect(await verifyFile(path)).toMatchObject({ ok: false, brokenSeq: 3 });
  });

  it('detects a rehashed row by its broken link to the next', () => {
    expect(
      findChainBreak([
        {
          seq: 1,
          at: 'a',
          event: 'e',
          grantId: null,
          actor: 'x',
          role: null,
          details: '{}',
          prevHash: '0'.repeat(64),
          hash: 'f'.repeat(64),
        },
      ]),
    ).toEqual({ seq: 1, reason: 'its contents do not match its hash' });
  });

  it('`hourglass-broker audit verify` exits 2 and names the record', async () => {
    const path = await seededDatabase(3);
    expect(
      execFileSync(process.execPath, [bin, 'audit', 'verify', '--db', path], { encoding: 'utf8' }),
    ).toBe('audit log intact: 3 records, 0 signed checkpoints\n');
    const raw = tamperable(path);
    raw.prepare("UPDATE audit SET role = 'admin' WHERE seq = 2").run();
    raw.close();
    let status = 0;
    let out = '';
    try {
      execFileSync(process.execPath, [bin, 'audit', 'verify', '--db', path], { encoding: 'utf8' });
    } catch (error: any) {
      status = error.status;
      out = error.stdout;
    }
    expect(status).toBe(2);
    expect(out).toContain('audit record #2 (requested, grant g2) is broken');
  });
});
