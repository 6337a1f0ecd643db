/**
 * `trustProxy`: the reverse proxies whose `X-Forwarded-For` the broker believes, as addresses or
 * CIDR blocks. Threat (issue 18, finding 5): `true` believed any client's header, so a token
 * guesser sent a new address with every try and never met the per-address limit (60 × 401, no
 * 429). Only a list is taken; `true`, a catch-all block (`/0`) and anything else are refused when
 * the config is loaded, and the error names the line.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const example = 'e.g. [10.0.0.5] or [10.0.0.0/8, fd00::/8]';

/** Why `entry` is not a proxy address or block, or undefined when it is one. */
export function proxyEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0)
    return `"${entry.slice(0, 64)}" is not an IP address or CIDR block (${example})`;
  if (prefix === undefined) return undefined;
  const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  const max = family === 4 ? 32 : 128;
  if (!(bits >= 0 && bits <= max))
    return `"${entry.slice(0, 64)}": the prefix length must be a whole number from 1 to ${max}`;
  if (bits === 0)
    return `"${entry}" trusts every address, as \`true\` would; name the proxies' own addresses or range`;
  return undefined;
}

/** One trusted proxy: an IPv4 or IPv6 address, or a CIDR block narrower than everything. */
export const trustedProxySchema = z
  .string()
  .max(64)
  .superRefine((entry, ctx) => {
    const problem = proxyEntryProblem(entry);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The list of trusted proxies; `true` and every other shape are refused with what to write. */
export const trustedProxiesSchema = z
  .array(trustedProxySchema, {
    error: (issue) =>
      issue.input === true
        ? `\`true\` would believe any client's X-Forwarded-For, so a client could pick its own address and escape the per-address rate limit; list the proxies in front of the broker instead, ${example}`
        : `list the addresses or CIDR blocks of the proxies in front of the broker, ${example}`,
  })
  .min(1, `list at least one proxy address or CIDR block, ${example}`);
