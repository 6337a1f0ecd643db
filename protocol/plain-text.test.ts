import { describe, expect, it } from 'vitest';
import { displayJson, displaySafe, displayText, unsafeCharacter } from './plain-text.ts';

// Every byte a terminal acts on, and every bidi formatting character (issue 18, finding 4).
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((code) => String.fromCodePoint(code));
const RAW = new RegExp(`[${CONTROLS.join('').replace(/[\]\\^-]/g, '\\$&')}]`);

describe('plain text: one definition of what may not reach a terminal or a view', () => {
  it('names the first unsafe character by code point; tab and newline only in multi-line text', () => {
    expect(unsafeCharacter('ok \u001b[2J')).toBe('U+001B');
    expect(unsafeCharacter('a\tb\nc', true)).toBeNull();
    expect(unsafeCharacter('a\tb\nc')).toBe('U+0009');
    expect(unsafeCharacter('a\nb\rc', true)).toBe('U+000D');
    expect(unsafeCharacter('fix \u202eti', true)).toBe('U+202E');
    expect(unsafeCharacter('Zoë — 東京 ✓')).toBeNull();
    for (const c of CONTROLS) expect(unsafeCharacter(`x${c}`), c).not.toBeNull();
  });

  it('shows every control visibly and leaves none raw (threat: escape injection into a terminal)', () => {
    const all = CONTROLS.join('');
    const shown = displayText(`a${all}z`);
    expect(shown).not.toMatch(RAW);
    expect(displayText('\u001b]0;t\u0007\r\n\u202e')).toBe('\\x1b]0;t\\x07\\r\\n\\u202e');
    expect(displayText('Zoë — 東京')).toBe('Zoë — 東京');
  });

  it('makes every string of a value safe, keys included, other values kept', () => {
    const value = { a: ['x\u001b', 1, null, true], ['k\u009b']: { b: 'y\u202e' } };
    expect(displaySafe(value)).toEqual({
      a: ['x\\x1b', 1, null, true],
      'k\\x9b': { b: 'y\\u202e' },
    });
  });

  it('writes JSON with no raw control or bidi character that parses back to the same data', () => {
    const value = { reason: CONTROLS.join(''), name: 'Zoë' };
    const json = displayJson(value);
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(value);
  });
});
