/**
 * Differential tests of the ES256 fast path (issue 18, finding 1): every token and key set gets
 * the same verdict from the broker's verifier with its fast path as from jose alone with the same
 * options, on a fixed corpus and on generated cases (fast-check). A second check runs the fast
 * path itself against jose's `jwtVerify`: whatever it accepts, jose accepts with the same payload.
 * `HOURGLASS_SECURITY_LONG=1` runs 100,000 generated cases; CI runs a short seeded sample.
 */
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../protocol/result.ts';
import { ManualClock } from '../test-support.ts';
import { Es256FastPath } from './es256-fast-verify.ts';
import {
  AUDIENCE,
  buildCase,
  ISSUER,
  keyPool,
  NOW_SECONDS,
  plainSpec,
  type JwkSpec,
  type TokenCase,
  type TokenCaseSpec,
} from './token-cases.test-support.ts';
import {
  createTokenVerifier,
  fastExpectations,
  joseOptions,
  type Caller,
  type TokenVerifier,
  type TrustedIssuer,
} from './token-verifier.ts';

const LONG = process.env.HOURGLASS_SECURITY_LONG === '1';
const pool = keyPool();
const NOW = new Date(NOW_SECONDS * 1000);

function trustedFor(c: TokenCase): TrustedIssuer {
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(c.options.typ !== undefined ? { accessTokenType: c.options.typ } : {}),
    ...(c.options.maxTokenAgeSeconds !== undefined
      ? { maxTokenAgeSeconds: c.options.maxTokenAgeSeconds }
      : {}),
  };
}

/** The verdicts on the token under test (twice) after the warm-up tokens, as plain data. */
async function verdicts(verify: TokenVerifier, c: TokenCase): Promise<unknown[]> {
  for (const warm of c.warm) await verify(warm);
  const plain = (r: Result<Caller>) => JSON.parse(JSON.stringify(r)) as unknown;
  return [plain(await verify(c.token)), plain(await verify(c.token))];
}

/** The broker's verifier with and without its fast path, on the same key set and clock. */
async function bothVerdicts(c: TokenCase): Promise<{ fast: unknown[]; jose: unknown[] }> {
  const clock = new ManualClock(NOW);
  const keySets = () => Promise.resolve(createLocalJWKSet(c.keySet));
  const trusted = [trustedFor(c)];
  const fast = createTokenVerifier(trusted, clock, undefined, { keySets });
  const jose = createTokenVerifier(trusted, clock, undefined, { keySets, fastPath: false });
  return { fast: await verdicts(fast, c), jose: await verdicts(jose, c) };
}

/**
 * The fast path alone, after jose has verified every token it would (warm-up and the token under
 * test, as the verifier does on a first refusal): if it accepts, jose's `jwtVerify` with the same
 * options accepts the same token with the same payload.
 */
async function fastPathAgainstJose(c: TokenCase): Promise<'fast accepted' | 'deferred'> {
  let keySet;
  try {
    keySet = createLocalJWKSet(c.keySet);
  } catch {
    return 'deferred';
  }
  const trusted = trustedFor(c);
  const fastPath = new Es256FastPath();
  for (const token of [...c.warm, c.token]) {
    try {
      const { protectedHeader, key } = await jwtVerify(token, keySet, joseOptions(trusted, NOW));
      fastPath.learn(protectedHeader, key);
    } catch {
      // refused by jose: nothing learned
    }
  }
  const accepted = await fastPath.verify(c.token, keySet, fastExpectations(trusted, NOW));
  if (!accepted) return 'deferred';
  const jose = await jwtVerify(c.token, keySet, joseOptions(trusted, NOW)).catch(
    (error: unknown) => ({ refused: String(error) }),
  );
  expect(jose, 'the fast path accepted a token jose refuses').toHaveProperty('payload');
  expect(accepted).toEqual((jose as { payload: unknown }).payload);
  return 'fast accepted';
}

async function expectSameVerdict(c: TokenCase): Promise<{ ok: boolean; fast: boolean }> {
  const { fast, jose } = await bothVerdicts(c);
  expect(fast).toEqual(jose);
  const fastOutcome = await fastPathAgainstJose(c);
  return {
    ok: (jose[0] as { ok: boolean }).ok,
    fast: fastOutcome === 'fast accepted',
  };
}

const spec = (change: (s: TokenCaseSpec) => void): TokenCaseSpec => {
  const s = plainSpec();
  change(s);
  return s;
};
const key0 = (change: Partial<JwkSpec>) =>
  spec((s) => {
    s.jwks = [{ ...(s.jwks[0] as JwkSpec), ...change }];
  });

// Each named case: the spec, and whether the token is accepted (by both, or refused by both).
const CORPUS: [string, TokenCaseSpec, 'accepted' | 'refused'][] = [
  ['a plain ES256 token from the published key', plainSpec(), 'accepted'],
  ['a JWKS publishing the private `d`', key0({ d: true }), 'refused'],
  ['`key_ops` as a string', key0({ keyOps: 'verify' }), 'refused'],
  ['`key_ops` with duplicates', key0({ keyOps: ['verify', 'verify'] }), 'refused'],
  ['`key_ops` with `sign` on a public key', key0({ keyOps: ['verify', 'sign'] }), 'refused'],
  ['`key_ops` without `verify`', key0({ keyOps: ['encrypt'] }), 'refused'],
  ['a non-boolean `ext`', key0({ ext: 'true' }), 'refused'],
  ['`use: enc`', key0({ use: 'enc' }), 'refused'],
  ['a key labelled P-384', key0({ crv: 'P-384' }), 'refused'],
  ['a key that is not a curve point', key0({ badPoint: true }), 'refused'],
  ['a key of another algorithm (`alg: ES384`)', key0({ alg: 'ES384' }), 'refused'],
  [
    'two published keys matching the kid',
    spec((s) => s.jwks.push({ key: 1, d: false, kid: 'k1', badPoint: false })),
    'refused',
  ],
  [
    'a header with invalid UTF-8 (`typ: "JWT\\xff"`)',
    spec((s) => {
      s.header.fields.typ = 'JWT';
      s.header.encoding = 'invalid-utf8';
    }),
    'refused',
  ],
  ['a header with a BOM (jose strips it)', spec((s) => (s.header.encoding = 'bom')), 'accepted'],
  ['a header that is an array', spec((s) => (s.header.encoding = 'array')), 'refused'],
  ['a header with `__proto__`', spec((s) => (s.header.encoding = 'proto')), 'accepted'],
  ['a payload with invalid UTF-8', spec((s) => (s.payload.encoding = 'invalid-utf8')), 'refused'],
  [
    'a header part of length 4k+1',
    spec((s) => {
      s.header.fields.typ = 'JWT';
      s.parts.extraHeaderChar = true;
    }),
    'refused',
  ],
  ['a padded header part (jose decodes it)', spec((s) => (s.parts.padHeader = true)), 'accepted'],
  [
    'alg none, no signature',
    spec((s) => {
      s.header.fields = { alg: 'none' };
      s.signature.signer = 'none';
    }),
    'refused',
  ],
  [
    'HS256 keyed with the public key',
    spec((s) => {
      s.header.fields = { alg: 'HS256', kid: 'k1' };
      s.signature.signer = 'hs256-public-jwk';
    }),
    'refused',
  ],
  ['r = 0', spec((s) => (s.signature.mutate = 'r0')), 'refused'],
  ['s = 0', spec((s) => (s.signature.mutate = 's0')), 'refused'],
  ['r = n', spec((s) => (s.signature.mutate = 'rn')), 'refused'],
  ['s = n', spec((s) => (s.signature.mutate = 'sn')), 'refused'],
  ['a high-S signature (valid ECDSA)', spec((s) => (s.signature.mutate = 'high-s')), 'accepted'],
  ['a 63-byte signature', spec((s) => (s.signature.mutate = 'truncate')), 'refused'],
  ['a 65-byte signature', spec((s) => (s.signature.mutate = 'extend')), 'refused'],
  ['a DER signature', spec((s) => (s.signature.mutate = 'der')), 'refused'],
  ['an empty signature', spec((s) => (s.signature.signer = 'none')), 'refused'],
  ['a flipped signature bit', spec((s) => (s.signature.mutate = 'flip')), 'refused'],
  [
    '`crit: ["b64"]` with `b64: false`',
    spec((s) => Object.assign(s.header.fields, { crit: ['b64'], b64: false })),
    'refused',
  ],
  ['`crit` naming an unknown extension', spec((s) => (s.header.fields.crit = ['exp'])), 'refused'],
  ['`crit: []`', spec((s) => (s.header.fields.crit = [])), 'refused'],
  [
    'a `jku` header (ignored by jose)',
    spec((s) => (s.header.fields.jku = 'https://evil.example/jwks')),
    'accepted',
  ],
  [
    'an `x5u` header (ignored by jose)',
    spec((s) => (s.header.fields.x5u = 'https://evil.example/x5')),
    'accepted',
  ],
  [
    'an embedded `jwk` header with the signer’s own key',
    spec((s) => {
      s.header.fields.jwk = pool.keys[1].publicJwk;
      s.signature.signer = 1;
    }),
    'refused',
  ],
  [
    "another issuer's kid and key",
    spec((s) => {
      s.header.fields.kid = 'k2';
      s.signature.signer = 1;
    }),
    'refused',
  ],
  ['a non-string kid', spec((s) => (s.header.fields.kid = 7)), 'refused'],
  ['`exp` as a string', spec((s) => (s.payload.raw.exp = `"${NOW_SECONDS + 300}"`)), 'refused'],
  ['`exp` = 1e999', spec((s) => (s.payload.raw.exp = '1e999')), 'refused'],
  ['`iat` in the future', spec((s) => (s.payload.raw.iat = String(NOW_SECONDS + 100))), 'refused'],
  ['`iat` 2 hours ago', spec((s) => (s.payload.raw.iat = String(NOW_SECONDS - 7200))), 'refused'],
  ['`session_exp` = 8.64e12', spec((s) => (s.payload.raw.session_exp = '8.64e12')), 'refused'],
  [
    '`aud` as an array with the broker',
    spec((s) => (s.payload.raw.aud = `["x",${JSON.stringify(AUDIENCE)}]`)),
    'accepted',
  ],
  ['another `iss`', spec((s) => (s.payload.raw.iss = '"https://evil.example"')), 'refused'],
  ['another `aud`', spec((s) => (s.payload.raw.aud = '"urn:other"')), 'refused'],
  ['no `sub`', spec((s) => (s.payload.raw.sub = undefined)), 'refused'],
  [
    '`typ: JWT` where `at+jwt` is required',
    spec((s) => {
      s.options.typ = 'at+jwt';
      s.header.fields.typ = 'JWT';
    }),
    'refused',
  ],
  [
    '`typ: application/at+jwt` where `at+jwt` is required (jose normalises)',
    spec((s) => {
      s.options.typ = 'at+jwt';
      s.header.fields.typ = 'application/at+jwt';
    }),
    'accepted',
  ],
];

describe('differential: the verifier with its fast path gives jose’s verdict', () => {
  it.each(CORPUS)('corpus: %s', async (_name, caseSpec, expected) => {
    const outcome = await expectSameVerdict(buildCase(pool, caseSpec));
    expect(outcome.ok ? 'accepted' : 'refused').toBe(expected);
  });

  it('the corpus exercises the fast path: a plain token after the first is accepted by it', async () => {
    expect(await expectSameVerdict(buildCase(pool, plainSpec()))).toEqual({ ok: true, fast: true });
  });

  it(
    `property: generated tokens and key sets (${LONG ? '100,000' : '300'} cases)`,
    async () => {
      const counts = { cases: 0, accepted: 0, fastAccepted: 0 };
      await fc.assert(
        fc.asyncProperty(tokenCaseSpec(), async (caseSpec) => {
          const outcome = await expectSameVerdict(buildCase(pool, caseSpec));
          counts.cases += 1;
          if (outcome.ok) counts.accepted += 1;
          if (outcome.fast) counts.fastAccepted += 1;
        }),
        { numRuns: LONG ? 100_000 : 300, ...(LONG ? {} : { seed: 18_001 }) },
      );
      process.stdout.write(
        `differential: ${counts.cases} cases, ${counts.accepted} accepted, ${counts.fastAccepted} by the fast path\n`,
      );
      // Not vacuous: the generator reaches the fast path's accepting branch.
      expect(counts.fastAccepted).toBeGreaterThan(counts.cases / 50);
    },
    LONG ? 24 * 3_600_000 : 120_000,
  );
});

// ---- the generator ----

const weighted = <T>(common: T, weight: number, rare: readonly T[]) =>
  fc.oneof(
    { arbitrary: fc.constant(common), weight },
    { arbitrary: fc.constantFrom(...rare), weight: Math.max(1, Math.floor(rare.length / 2)) },
  );

const KEEP = Symbol('keep');
const timeValues = (around: number) =>
  [-7200, -700, -40, -31, -29, -1, 0, 1, 29, 31, 100, 4000]
    .map((d) => String(around + d))
    .concat([`"${around}"`, '1e999', '-1e999', 'null', `${around}.5`, '8.64e12', '-1']);

function rawClaim(values: readonly (string | undefined)[]) {
  return weighted<string | undefined | typeof KEEP>(KEEP, 60, values);
}

function jwkSpec(): fc.Arbitrary<JwkSpec> {
  return fc.record({
    key: weighted<0 | 1 | 2 | 3>(0, 8, [1, 2, 3]),
    d: weighted(false, 12, [true]),
    kid: weighted<unknown>('k1', 10, ['k2', undefined, 7, '']),
    alg: weighted<unknown>('ES256', 6, [undefined, 'ES384', 'RS256', 'none']),
    use: weighted<unknown>('sig', 6, [undefined, 'enc', 1]),
    keyOps: weighted<unknown>(undefined, 12, [
      ['verify'],
      'verify',
      ['verify', 'verify'],
      ['sign'],
      ['verify', 'sign'],
      [],
      [1],
    ]),
    ext: weighted<unknown>(undefined, 12, [true, false, 'true', 1]),
    crv: weighted<unknown>(undefined, 14, ['P-384', 'P-256', 'secp256k1']),
    badPoint: weighted(false, 20, [true]),
  });
}

const EXTRAS: [string, unknown][] = [
  ['crit', ['b64']],
  ['b64', false],
  ['b64', true],
  ['crit', ['exp']],
  ['crit', []],
  ['jku', 'https://evil.example/jwks'],
  ['x5u', 'https://evil.example/x5'],
  ['jwk', pool.keys[1].publicJwk],
  ['cty', 'JWT'],
  ['x-extra', 1],
];

function tokenCaseSpec(): fc.Arbitrary<TokenCaseSpec> {
  const keepOut = (raw: Record<string, string | undefined | typeof KEEP>) =>
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== KEEP)) as Record<
      string,
      string | undefined
    >;
  return fc.record({
    jwks: fc.oneof(
      { arbitrary: fc.array(jwkSpec(), { minLength: 1, maxLength: 1 }), weight: 6 },
      { arbitrary: fc.array(jwkSpec(), { minLength: 0, maxLength: 3 }), weight: 2 },
    ),
    header: fc.record({
      fields: fc
        .tuple(
          fc.record({
            alg: weighted<unknown>('ES256', 12, [
              'ES384',
              'RS256',
              'HS256',
              'none',
              'es256',
              undefined,
              1,
            ]),
            kid: weighted<unknown>('k1', 10, ['k2', undefined, 7, '']),
            typ: weighted<unknown>(undefined, 6, [
              'JWT',
              'at+jwt',
              'application/at+jwt',
              'AT+JWT',
              1,
            ]),
          }),
          fc.oneof(
            { arbitrary: fc.constant([] as [string, unknown][]), weight: 8 },
            { arbitrary: fc.subarray(EXTRAS, { minLength: 1, maxLength: 2 }), weight: 2 },
          ),
        )
        .map(([base, extras]) => ({ ...base, ...Object.fromEntries(extras) })),
      encoding: weighted('json' as const, 20, [
        'invalid-utf8',
        'bom',
        'array',
        'dup-first',
        'proto',
      ] as const),
    }),
    payload: fc.record({
      raw: fc
        .record({
          iss: rawClaim(['"https://evil.example"', `"${ISSUER}/"`, '1', undefined]),
          aud: rawClaim([
            `["x","${AUDIENCE}"]`,
            '["urn:other"]',
            '"urn:other"',
            '[1]',
            '[]',
            undefined,
          ]),
          sub: rawClaim([undefined, '1', '""', '"ceo"', '{"a":1}']),
          iat: rawClaim([...timeValues(NOW_SECONDS), undefined]),
          exp: rawClaim([...timeValues(NOW_SECONDS), undefined]),
          nbf: rawClaim(timeValues(NOW_SECONDS)),
          session_exp: rawClaim(timeValues(NOW_SECONDS + 3600)),
          auth_time: rawClaim(timeValues(NOW_SECONDS - 60)),
        })
        .map(keepOut),
      encoding: weighted('json' as const, 20, ['invalid-utf8', 'bom', 'array', 'proto'] as const),
    }),
    signature: fc.record({
      signer: weighted<0 | 1 | 2 | 3 | 'hs256-public-jwk' | 'none'>(0, 14, [
        1,
        3,
        'hs256-public-jwk',
        'none',
      ]),
      mutate: weighted('none' as const, 14, [
        'flip',
        'truncate',
        'extend',
        'der',
        'r0',
        's0',
        'rn',
        'sn',
        'high-s',
        'zeros',
      ] as const),
    }),
    parts: fc.record({
      padHeader: weighted(false, 20, [true]),
      nonCanonical: weighted('none' as const, 16, ['header', 'payload', 'signature'] as const),
      extraHeaderChar: weighted(false, 20, [true]),
    }),
    options: fc
      .record({
        typ: weighted<string | undefined>(undefined, 3, ['at+jwt']),
        maxTokenAgeSeconds: weighted<number | undefined>(undefined, 3, [600, 5]),
      })
      .map((o) => ({
        ...(o.typ !== undefined ? { typ: o.typ } : {}),
        ...(o.maxTokenAgeSeconds !== undefined ? { maxTokenAgeSeconds: o.maxTokenAgeSeconds } : {}),
      })),
  });
}
