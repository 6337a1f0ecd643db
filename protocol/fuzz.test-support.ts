/**
 * Test support for the trust suite's fuzzers (`*.security.test.ts`): inputs generated from the
 * zod contracts in protocol/ (valid shapes, then each one broken), raw malformed bodies, a canary
 * secret planted in them, and the tally each fuzzer prints as its figure.
 *
 * Counts: short by default (CI, `npm test`), the full counts with HOURGLASS_SECURITY_LONG=1
 * (`npm run security -- --long`).
 */
import fc from 'fast-check';
import { z } from 'zod';

/** Whether the long run was asked for (`npm run security -- --long`). */
export const securityLong = process.env.HOURGLASS_SECURITY_LONG === '1';

/** `short` inputs in CI, `long` in the long run. */
export const fuzzCount = (short: number, long: number): number => (securityLong ? long : short);

/** The marker every planted secret carries: it must never come back in an error or a log. */
export const CANARY = 'CANARY-fuzz-7f3c91e2';

/** A token-shaped canary (a JWT with a bad signature) sent as a bearer token and in bodies. */
export const canaryToken = `eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.${Buffer.from(
  JSON.stringify({ sub: CANARY, aud: 'urn:hourglass:broker' }),
).toString('base64url')}.${CANARY}`;

/** Secret-looking values: each holds CANARY. */
export const canaryValues = [
  CANARY,
  canaryToken,
  `Bearer ${canaryToken}`,
  `password=${CANARY}`,
  `-----BEGIN PRIVATE KEY-----\n${CANARY}\n-----END PRIVATE KEY-----`,
  `${'x'.repeat(480)}${CANARY}`,
];

/** A request longer than this counts as a hang. */
export const hangMs = 1000;

/** What one fuzzed route (or parser) did; `figure()` is the line the suite prints. */
export class FuzzTally {
  inputs = 0;
  crashes = 0;
  hangs = 0;
  serverErrors = 0;
  echoes = 0;
  /** The first few offending inputs, to show in the failure. */
  readonly examples: string[] = [];

  /** `echoes: false` for an input with no secret field (the policy file): the figure leaves it out. */
  constructor(
    readonly name: string,
    private readonly opts: { echoes: boolean } = { echoes: true },
  ) {}

  /** Records one answered input. `echoed`: an error answer (or a log line) carried the canary. */
  record(
    input: string,
    outcome: { ms: number; status?: number; crashed?: boolean; echoed?: boolean },
  ) {
    this.inputs += 1;
    const problems: string[] = [];
    if (outcome.crashed) problems.push('crash');
    if (outcome.ms > hangMs) problems.push(`hang ${Math.round(outcome.ms)} ms`);
    if (outcome.status !== undefined && outcome.status >= 500) problems.push(`${outcome.status}`);
    if (outcome.echoed) problems.push('echo');
    if (outcome.crashed) this.crashes += 1;
    if (outcome.ms > hangMs) this.hangs += 1;
    if (outcome.status !== undefined && outcome.status >= 500) this.serverErrors += 1;
    if (outcome.echoed) this.echoes += 1;
    if (problems.length > 0 && this.examples.length < 5)
      this.examples.push(`${problems.join(', ')}: ${input.slice(0, 300)}`);
  }

  /** Counts a canary found after the run (in a captured log), without an input of its own. */
  recordLogEcho(where: string) {
    this.echoes += 1;
    if (this.examples.length < 5) this.examples.push(`canary in ${where}`);
  }

  /** Violations of every kind. */
  get violations(): number {
    return this.crashes + this.hangs + this.serverErrors + this.echoes;
  }

  /** "fuzz broker POST /v1/requests: 300 inputs, 0 crashes, 0 hangs>1s, 0 5xx, 0 echoes". */
  figure(): string {
    const echoes = this.opts.echoes ? `, ${this.echoes} echoes` : '';
    return `fuzz ${this.name}: ${this.inputs} inputs, ${this.crashes} crashes, ${this.hangs} hangs>1s, ${this.serverErrors} 5xx${echoes}`;
  }

  /** Prints the figure (to stderr, which vitest shows) and answers the failure text, if any. */
  report(): string {
    process.stderr.write(`${this.figure()}\n`);
    return this.violations === 0 ? '' : `${this.figure()}\n${this.examples.join('\n')}`;
  }
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  maxItems?: number;
};

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  const maxLength = Math.min(s.maxLength ?? 64, 600);
  const minLength = s.minLength ?? 0;
  if (s.pattern !== undefined) {
    const shaped = fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= minLength && v.length <= maxLength);
    return fc.oneof(shaped, fc.string({ minLength, maxLength }));
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.constantFrom(...canaryValues.filter((v) => v.length <= maxLength && v.length >= minLength)),
  );
}

function numberArbitrary(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e6);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e6);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true });
}

/** Values that fit the JSON schema (zod's `toJSONSchema`), edge values weighted in. */
function fromJsonSchema(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u) => fromJsonSchema(u, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? fromJsonSchema(s.items, depth + 1) : fc.jsonValue(), {
        maxLength: Math.min(s.maxItems ?? 5, 5),
      });
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) shape[key] = fromJsonSchema(sub, depth + 1);
      const requiredKeys = Object.keys(props).filter((k) => required.has(k));
      return fc.record(shape, { requiredKeys });
    }
    case undefined:
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values that satisfy `schema` (its input side), from its JSON schema. */
export function validInput(schema: z.ZodType): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  return fromJsonSchema(json);
}

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    -1,
    0,
    -0,
    1.5,
    2 ** 53,
    -(2 ** 63),
    1e308,
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\u001b]52;c;ZXZpbA==\u0007',
    '../../etc/passwd',
    '%00',
    '{}',
    [],
    {},
    'a'.repeat(5000),
    ...canaryValues,
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/** One valid object from `schema`, then broken: a key dropped, a value of another type, an extra key. */
function brokenObject(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fc
    .tuple(validInput(schema), fc.nat(), nastyValue, fc.constantFrom('drop', 'retype', 'extra'))
    .map(([value, pick, nasty, how]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return nasty;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys[pick % Math.max(keys.length, 1)];
      if (how === 'drop' && key !== undefined) delete copy[key];
      else if (how === 'retype' && key !== undefined) copy[key] = nasty;
      else copy[['extra', '__proto__', 'constructor', 'toString'][pick % 4] ?? 'extra'] = nasty;
      return copy;
    });
}

const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    'null',
    '[]',
    '"x"',
    '1e309',
    '-0',
    '{"a":1}}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    `{"token":"${canaryToken}"`,
    '\uFEFF{}',
    '{"a":"\\ud800"}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
);

/**
 * Request bodies for a route whose body is `schema`: valid ones (the route acts), broken ones
 * (each must be refused in the one error body) and raw malformed text, as the text sent.
 */
export function fuzzBody(schema: z.ZodType | null): fc.Arbitrary<string> {
  const shaped = schema
    ? fc.oneof(
        { weight: 2, arbitrary: validInput(schema) },
        { weight: 4, arbitrary: brokenObject(schema) },
        { weight: 1, arbitrary: nastyValue },
      )
    : nastyValue;
  return fc.oneof({ weight: 4, arbitrary: shaped.map((v) => JSON.stringify(v) ?? '') }, rawText);
}

/** Strings for a path parameter: real ids, near misses, encodings (no canary: see fuzzQuery). */
export function fuzzPathParam(realIds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...realIds),
    fc.constantFrom('', '.', '..', '%2e%2e', '%00', '%ff', 'A'.repeat(22), 'a'.repeat(300)),
    fc.string({ unit: 'binary', maxLength: 40 }).map(percentEncode),
  );
}

/** `text` as UTF-8 bytes, each percent-encoded (lone surrogates included, as U+FFFD). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * A query string from `schema` (valid or broken values), without the leading `?`. URLs are logged
 * by design (a secret never belongs in one), so no canary rides here: a path or a query echoed in
 * an access log is not a leak.
 */
export function fuzzQuery(schema: z.ZodType | undefined): fc.Arbitrary<string> {
  const values = schema ? fc.oneof(validInput(schema), brokenObject(schema)) : nastyValue;
  return fc.oneof(
    values.map((v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? new URLSearchParams(
            Object.entries(v as Record<string, unknown>).map(([k, x]) => [
              k,
              typeof x === 'string' ? x : (JSON.stringify(x) ?? ''),
            ]),
          )
            .toString()
            .replaceAll(CANARY, 'c')
        : '',
    ),
    fc.constantFrom('', 'a=1&a=2', 'limit=-1', 'since=not-a-date', '%', '%%', 'a[b]=1'),
  );
}

/**
 * Runs `count` generated inputs through `send`, `concurrency` at a time, in seeded chunks. Kept
 * low: each input's time is measured for the 1 s hang bound, and a deep queue would measure the
 * fuzzer's own backlog instead of the server.
 */
export async function runGenerated<T>(
  arbitrary: fc.Arbitrary<T>,
  count: number,
  seed: number,
  send: (input: T) => Promise<void>,
  concurrency = 4,
): Promise<void> {
  const chunk = 500;
  for (let done = 0; done < count; done += chunk) {
    const inputs = fc.sample(arbitrary, {
      numRuns: Math.min(chunk, count - done),
      seed: seed + done,
    });
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next] as T;
        next += 1;
        await send(input);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}
