import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result, WipedBody } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { openGrantStore } from './grant-store.ts';
import { grantFixture, recordFixture } from './test-support.ts';
import { createWipeReceipts } from './wipe-receipts.ts';

// The real grant store on disk; the broker port answers as the broker does when down, then up.
const receipt = {
  wipedAt: '2030-01-01T00:01:00.000Z',
  trigger: 'deadline' as const,
  items: ['keychain'],
};

function setup(answers: Array<'down' | 'ok' | 'refused'>, subject: string | null = 'alice') {
  const store = openGrantStore(mkdtempSync(join(tmpdir(), 'hg-receipts-')));
  const sent: WipedBody[] = [];
  const recorded: string[] = [];
  const receipts = createWipeReceipts({
    store,
    currentSubject: () => subject,
    onRecorded: (g) => recorded.push(g.id),
    broker: {
      recordWipe: (id, body) => {
        sent.push(body);
        const answer = answers.shift() ?? 'ok';
        const result: Result<{ now: string; grant: ReturnType<typeof grantFixture> }> =
          answer === 'down'
            ? fail('broker_unreachable', 'down')
            : answer === 'refused'
              ? fail('forbidden', 'not yours')
              : ok({ now: receipt.wipedAt, grant: grantFixture({ id, wipeState: 'wiped' }) });
        return Promise.resolve(result);
      },
    },
  });
  return { store, sent, recorded, receipts };
}

describe('wipe receipts', () => {
  it('stay queued in the store while the broker is unreachable and go on the next flush', async () => {
    const { store, sent, recorded, receipts } = setup(['down', 'ok']);
    store.upsert(recordFixture({ credentialStored: false, wipedAt: receipt.wipedAt, receipt }));
    expect(await receipts.send('g1')).toBe(false);
    expect(openGrantStore(store.path.replace(/\/grants\.json$/, '')).get('g1')?.receipt).toEqual(
      receipt,
    );
    await receipts.flush();
    expect(sent).toEqual([receipt, receipt]);
    expect(store.get('g1')?.receipt).toBeNull();
    expect(recorded).toEqual(['g1']);
    await receipts.flush();
    expect(sent).toHaveLength(2);
  });

  it('drop a receipt the broker refuses for good', async () => {
    const { store, receipts } = setup(['refused']);
    store.upsert(recordFixture({ credentialStored: false, wipedAt: receipt.wipedAt, receipt }));
    expect(await receipts.send('g1')).toBe(true);
    expect(store.get('g1')?.receipt).toBeNull();
  });

  it("hold back another subject's receipt, and post one receipt once under concurrent sends", async () => {
    const other = setup([], 'bob');
    other.store.upsert(recordFixture({ wipedAt: receipt.wipedAt, receipt }));
    expect(await other.receipts.send('g1')).toBe(false);
    expect(other.sent).toEqual([]);
    const mine = setup(['ok']);
    mine.store.upsert(recordFixture({ wipedAt: receipt.wipedAt, receipt }));
    await Promise.all([mine.receipts.send('g1'), mine.receipts.flush(), mine.receipts.send('g1')]);
    expect(mine.sent).toHaveLength(1);
  });
});
