/**
 * Threat: a policy file (or a live reload of one) that crashes or hangs the broker's parser
 * instead of being refused with a line-numbered error (SECURITY.md requirement 17).
 *
 * Inputs: policies generated from `policyFileSchema` (valid, then broken) written as YAML, the
 * demo policy mutated at the text level (lines dropped, duplicated, cut, bytes spliced in), and
 * hostile YAML (alias bombs, deep nesting, tags, huge numbers). Each parse must answer a value
 * (`success`, or `error` with a message naming the file), never throw, and take under 1 s.
 * 1,000 inputs here; 1,000,000 in the long run (`npm run security -- --long`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FuzzTally, fuzzCount, validInput } from '../../protocol/fuzz.test-support.ts';
import { parsePolicyText } from './load-policy.ts';
import { policyFileSchema } from './policy-schema.ts';

const INPUTS = fuzzCount(1000, 1_000_000);
const demo = readFileSync(
  fileURLToPath(new URL('../../demo/policy.yaml', import.meta.url)),
  'utf8',
);
const demoLines = demo.split('\n');

const splice = fc.oneof(
  fc.constantFrom(
    '*a',
    '&a [*a, *a, *a]',
    '!!js/function "x"',
    '!!binary AAAA',
    '<<: *x',
    '? [a]\n: b',
    '1e99999',
    '-.inf',
    '0x7fffffffffffffffff',
    ':',
    '- -',
    '"\\ud800"',
    '\t',
    '%YAML 9.9',
    '---',
    '...',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    '{',
    "ticketPattern: '(a+)+$['",
    'maxDuration: 99999999999d',
    'name: ../../etc',
    '__proto__: {admin: true}',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** The demo policy with a few text edits. */
const mutatedDemo = fc
  .array(fc.tuple(fc.constantFrom('drop', 'dup', 'cut', 'insert', 'indent'), fc.nat(), splice), {
    minLength: 1,
    maxLength: 4,
  })
  .map((edits) => {
    const lines = [...demoLines];
    for (const [how, at, text] of edits) {
      const i = at % Math.max(lines.length, 1);
      const line = lines[i] ?? '';
      if (how === 'drop') lines.splice(i, 1);
      else if (how === 'dup') lines.splice(i, 0, line);
      else if (how === 'cut') lines[i] = line.slice(0, at % (line.length + 1));
      else if (how === 'insert') lines[i] = `${line.slice(0, at % (line.length + 1))}${text}`;
      else lines[i] = ` ${line}`;
    }
    return lines.join('\n');
  });

/**
 * Alias bombs and deep nesting: shaped to hurt a parser that expands or recurses naively, and
 * sized (tens of kilobytes at most) so that the 1 s bound measures a blow-up, not this machine's
 * speed on a legitimately large file.
 */
const hostile = fc.oneof(
  fc.integer({ min: 2, max: 12 }).map((depth) => {
    const rows = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < depth; i += 1)
      rows.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    return `${rows.join('\n')}\nroles: *a${depth - 1}\n`;
  }),
  fc.integer({ min: 10, max: 1000 }).map((n) => `roles: ${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 10, max: 500 }).map((n) => `${'- '.repeat(n)}x`),
  fc.integer({ min: 1, max: 300 }).map((n) => `tenant: t\nroles:\n${'  - name: r\n'.repeat(n)}`),
);

const generated = fc
  .oneof(validInput(policyFileSchema), fc.jsonValue({ maxDepth: 4 }))
  .map((value) => stringify(value));

const policyText = fc.oneof(
  { weight: 4, arbitrary: mutatedDemo },
  { weight: 3, arbitrary: generated },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
);

describe('fuzzing the policy parser', () => {
  it(
    'every input: a value (success or a line-numbered error), no throw, under 1 s',
    () => {
      const tally = new FuzzTally('policy parser', { echoes: false });
      const chunk = 1000;
      let accepted = 0;
      for (let done = 0; done < INPUTS; done += chunk) {
        for (const text of fc.sample(policyText, {
          numRuns: Math.min(chunk, INPUTS - done),
          seed: done,
        })) {
          const started = performance.now();
          let crashed = false;
          try {
            const parsed = parsePolicyText(text, 'fuzz.yaml');
            if (parsed.status === 'success') accepted += 1;
            else crashed = !parsed.message.startsWith('fuzz.yaml');
          } catch {
            crashed = true;
          }
          tally.record(text, { ms: performance.now() - started, crashed });
        }
      }
      const failure = tally.report();
      process.stderr.write(
        `policy parser: ${accepted} of ${tally.inputs} inputs accepted as policies\n`,
      );
      expect(failure).toBe('');
      // The generator reaches the accepting side too (a fuzzer refused at the first byte proves little).
      expect(accepted).toBeGreaterThan(0);
    },
    INPUTS > 10_000 ? 24 * 3600_000 : 60_000,
  );
});
