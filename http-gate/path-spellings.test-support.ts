/**
 * Test support: other spellings of one request path, the ways a router and a check on URL text
 * can disagree — percent-encoded letters (lower and upper hex), double encoding, `//`, `/./`,
 * `..`, a trailing slash, case changes, `;` parameters, an encoded slash and a query string.
 */

/** One spelling of a path and the trick it uses. */
export interface Spelling {
  trick: string;
  path: string;
}

const hex = (char: string, upper: boolean): string => {
  const code = char.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? code.toUpperCase() : code}`;
};

/** `segment` with its first letter percent-encoded, or undefined when it has no letter. */
function encodeFirstLetter(segment: string, upper = false): string | undefined {
  const at = segment.search(/[A-Za-z]/);
  if (at < 0) return undefined;
  return `${segment.slice(0, at)}${hex(segment.charAt(at), upper)}${segment.slice(at + 1)}`;
}

const encodeAll = (segment: string): string =>
  [...segment].map((c) => (/[A-Za-z0-9]/.test(c) ? hex(c, true) : c)).join('');

const swapCase = (text: string): string =>
  [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

/** Every spelling of `path` (which starts with `/`), each different from it. */
export function pathSpellings(path: string): Spelling[] {
  const segments = path.split('/').slice(1);
  const join = (parts: readonly string[]) => `/${parts.join('/')}`;
  const each = (trick: string, change: (segment: string) => string | undefined): Spelling[] =>
    segments.flatMap((segment, i) => {
      const changed = change(segment);
      if (changed === undefined || changed === segment) return [];
      return [{ trick: `${trick} (segment ${i + 1})`, path: join(segments.with(i, changed)) }];
    });
  const [first = ''] = segments;
  const doubled = encodeFirstLetter(first)?.replace('%', '%25');
  const spellings: Spelling[] = [
    ...each('percent-encoded letter', (s) => encodeFirstLetter(s)),
    ...each('percent-encoded letter, upper-case hex', (s) => encodeFirstLetter(s, true)),
    ...each('every character percent-encoded', encodeAll),
    ...(doubled !== undefined
      ? [{ trick: 'double encoding', path: join(segments.with(0, doubled)) }]
      : []),
    { trick: 'leading //', path: `/${path}` },
    { trick: '// between segments', path: path.replace(/\/(?=[^/]*$)/, '//') },
    { trick: 'leading /./', path: `/.${path}` },
    { trick: '/./ before the last segment', path: path.replace(/\/(?=[^/]*$)/, '/./') },
    { trick: '/x/../ prefix', path: `/x/..${path}` },
    { trick: 'trailing slash', path: `${path}/` },
    { trick: 'case change, first segment', path: join(segments.with(0, first.toUpperCase())) },
    { trick: 'case change, whole path', path: swapCase(path) },
    ...each('; parameter', (s) => `${s};x=1`),
    ...(segments.length > 1
      ? [{ trick: 'encoded slash', path: path.replace(/(?<=.)\/(?=[^/]*$)/, '%2F') }]
      : []),
    { trick: 'query string', path: `${path}?x=1` },
  ];
  const seen = new Set([path]);
  return spellings.filter((s) => !seen.has(s.path) && seen.add(s.path));
}
