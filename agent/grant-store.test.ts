import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGrantStore } from './grant-store.ts';
import { grantFixture, recordFixture } from './test-support.ts';

const record = recordFixture({ id: 'g-1', expiresAt: '2030-01-01T12:00:00.000Z' });

describe('grant store', () => {
  it('keeps metadata in a 0600 file in a 0700 directory and reloads it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hg-store-')), 'data');
    const store = openGrantStore(dir);
    store.upsert(record);
    store.setOffsetMs(1234);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const again = openGrantStore(dir);
    expect(again.get('g-1')).toEqual(record);
    expect(again.offsetMs()).toBe(1234);
    again.upsert({ ...record, credentialStored: false, wipedAt: '2030-01-01T12:01:00.000Z' });
    expect(openGrantStore(dir).list()).toHaveLength(1);
    expect(openGrantStore(dir).get('g-1')?.wipedAt).toBe('2030-01-01T12:01:00.000Z');
  });

  it('keeps the broker view and a queued receipt, and reads records written before them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-store-'));
    const held = recordFixture({
      grant: grantFixture({ id: 'g1' }),
      receipt: { wipedAt: '2030-01-01T00:00:00.000Z', trigger: 'revoked', items: ['keychain'] },
    });
    openGrantStore(dir).upsert(held);
    expect(openGrantStore(dir).get('g1')).toEqual(held);
    const { subject: _s, grant: _g, receipt: _r, ...old } = record;
    writeFileSync(join(dir, 'grants.json'), JSON.stringify({ offsetMs: 0, grants: [old] }));
    expect(openGrantStore(dir).get('g-1')).toEqual({
      ...old,
      subject: null,
      grant: null,
      receipt: null,
    });
    const store = openGrantStore(dir);
    store.remove('g-1');
    expect(openGrantStore(dir).list()).toEqual([]);
  });

  it('sets an unreadable store file aside instead of overwriting it, and starts empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-store-'));
    writeFileSync(join(dir, 'grants.json'), '{"offsetMs": "not a number"');
    const store = openGrantStore(dir);
    expect(store.list()).toEqual([]);
    store.upsert(record);
    const kept = readdirSync(dir).filter((name) => name.startsWith('grants.json.unreadable-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe('{"offsetMs": "not a number"');
  });
});
