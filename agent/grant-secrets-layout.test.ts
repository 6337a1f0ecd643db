import { describe, expect, it } from 'vitest';
import type { Held } from './grant-secrets-layout.ts';
import {
  BUCKET_CAPACITY,
  bucketAccount,
  bucketSecond,
  formatBucket,
  parseBucket,
  parseGrantAccount,
  shardFor,
  sweepListing,
} from './grant-secrets-layout.ts';

describe('grant secret layout', () => {
  it('names buckets by deadline second and shard; reads legacy items; ignores the rest', () => {
    expect(bucketAccount(1_900_000_000, 0)).toBe('grants:1900000000');
    expect(bucketAccount(1_900_000_000, 2)).toBe('grants:1900000000:2');
    expect(parseGrantAccount('grants:1900000000:2')).toMatchObject({
      second: 1_900_000_000,
      shard: 2,
    });
    expect(parseGrantAccount('grant:g-1')).toEqual({
      kind: 'legacy',
      account: 'grant:g-1',
      grantId: 'g-1',
    });
    for (const other of ['session', 'grants:', 'grants:12:0', 'grants:x', 'grant:', 'doctor-probe'])
      expect(parseGrantAccount(other), other).toBeNull();
  });

  it('rounds a deadline down to its second (never late); an unreadable one is due at once', () => {
    expect(bucketSecond('2031-05-01T10:00:00.999Z')).toBe(
      Date.parse('2031-05-01T10:00:00Z') / 1000,
    );
    expect(bucketSecond('not a date')).toBe(0);
  });

  it('never trusts a bucket that is not one', () => {
    const secrets = new Map([['g-1', 'canary-1']]);
    expect(parseBucket(formatBucket(secrets))).toEqual(secrets);
    for (const text of ['', 'null', '{"v":2,"secrets":{}}', '{"v":1,"secrets":{"g":1}}', '{"v":1'])
      expect(parseBucket(text), text).toBeNull();
  });

  it('fills a shard up to the cap, then opens the next', () => {
    const ids = (n: number) => new Set(Array.from({ length: n }, (_, i) => `g-${i}`));
    const held = new Map<string, Held>();
    const add = (account: string, n: number) => {
      const item = parseGrantAccount(account);
      if (item) held.set(account, { item, ids: ids(n) });
    };
    expect(shardFor(held, 7, false)).toBe('grants:7');
    add('grants:7', BUCKET_CAPACITY);
    add('grants:7:1', 3);
    expect(shardFor(held, 7, false)).toBe('grants:7:1');
    expect(shardFor(held, 7, true)).toBe('grants:7:2');
    expect(shardFor(held, 8, false)).toBe('grants:8');
  });

  it('sweeps at start: corrupt and due items go, unknown grants are cut out of a bucket', () => {
    const bucket = formatBucket(
      new Map([
        ['known', 'a'],
        ['unknown', 'b'],
      ]),
    );
    const sweep = sweepListing(
      [
        { account: 'grants:100', secret: bucket },
        { account: 'grants:50', secret: formatBucket(new Map([['known-due', 'c']])) },
        { account: 'grants:200', secret: 'garbage' },
        { account: 'grant:unknown-legacy', secret: 'd' },
        { account: 'session', secret: 'e' },
      ],
      50_000,
      (id) => id.startsWith('known'),
    );
    expect(sweep.doomed.sort()).toEqual(['grant:unknown-legacy', 'grants:200', 'grants:50']);
    expect(sweep.rewrites).toEqual([['grants:100', new Map([['known', 'a']])]]);
    expect([...sweep.held.keys()]).toEqual(['grants:100']);
    expect(sweep.held.get('grants:100')?.ids).toEqual(new Set(['known']));
  });
});
