/**
 * Plain text: the one definition of the characters that must not reach a terminal or a view as
 * they are, used by the broker to refuse them and by every client to show text it did not write.
 * Zod-free: the CLI's fast path bundles it without the contracts.
 *
 * Threat (issue 18, finding 4): a deny comment, a ticket, a reason or an IdP display name carrying
 * `ESC ] 0 ; … BEL`, `ESC [ 2 J`, OSC 52 (clipboard write), `CR` or a right-to-left override
 * rewrites, clears or reorders what the other person's terminal or window shows ("approved by
 * security"), or writes their clipboard.
 */

/**
 * C0 controls (tab and line feed included), DEL, C1 controls, the Unicode line and paragraph
 * separators, and the bidi formatting characters: marks (U+200E/F, U+061C), embeddings and
 * overrides (U+202A–202E) and isolates (U+2066–2069).
 */
const UNSAFE_ALL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `U+001B` for a character. */
export function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The first character of `text` that plain text may not hold, as `U+XXXX`, or null. With
 * `lineBreaks`, tab and line feed are allowed (multi-line fields: a reason, a comment).
 */
export function unsafeCharacter(text: string, lineBreaks = false): string | null {
  for (const match of text.matchAll(UNSAFE_ALL)) {
    const character = match[0];
    if (lineBreaks && (character === '\n' || character === '\t')) continue;
    return codePointName(character);
  }
  return null;
}

/**
 * `text` safe to print or show: every unsafe character written visibly as an escape (`\x1b`,
 * `\n`, `\u202e`), so nothing the broker or an IdP sent can act on a terminal or reorder a view.
 */
export function displayText(text: string): string {
  return text.replace(UNSAFE_ALL, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\t') return '\\t';
    if (character === '\r') return '\\r';
    const code = character.codePointAt(0) ?? 0;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return displayText(value);
  if (Array.isArray(value)) return value.map(safeValue);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [displayText(k), safeValue(v)]),
    );
  return value;
}

/** A copy of `value` with every string in it (keys included) passed through `displayText`. */
export function displaySafe<T>(value: T): T {
  return safeValue(value) as T;
}

/**
 * `value` as JSON that is safe on a terminal and still the same data: JSON.stringify escapes C0
 * controls but writes DEL, C1 controls and bidi characters as they are; those become `\uXXXX`.
 */
export function displayJson(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE_ALL,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
