/** `hourglass setup <broker-url>`: configures the profile from what the broker publishes. */
import { resolveDataDir } from '../agent/config.ts';
import {
  fetchBrokerDiscovery,
  otherSetup,
  parseBrokerUrl,
  pickIssuer,
  writeProfileConfig,
} from '../agent/setup-profile.ts';
import type { Ctx } from './command-support.ts';
import { failed, print } from './command-support.ts';
import { EXIT } from './exit-codes.ts';

/** Flags of `hourglass setup`. */
export interface SetupOptions {
  issuer?: string;
  clientId?: string;
  force?: boolean;
}

/** Runs `hourglass setup`. */
export async function runSetup(ctx: Ctx, rawUrl: string, opts: SetupOptions): Promise<number> {
  const insecure = ['1', 'true', 'yes'].includes(
    (ctx.io.env.HOURGLASS_ALLOW_INSECURE_HTTP ?? '').toLowerCase(),
  );
  const url = parseBrokerUrl(rawUrl, insecure);
  if (!url.ok) return failed(ctx, url);
  const discovery = await fetchBrokerDiscovery(url.value);
  if (!discovery.ok) return failed(ctx, discovery);
  const issuer = pickIssuer(discovery.value, opts.issuer, opts.clientId);
  if (!issuer.ok) return failed(ctx, issuer);
  const brokerUrl = url.value.href.replace(/\/+$/, '');
  const dataDir = resolveDataDir(ctx.io.env);
  const other = otherSetup(dataDir, brokerUrl);
  if (other !== null && !opts.force)
    return failed(ctx, {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          other.kind === 'demo'
            ? `this profile is the demo's (\`npm start\` set it up); setting it up for ${brokerUrl} turns the demo off, and the next \`npm start\` will use another folder; to do it anyway, run \`hourglass setup ${brokerUrl} --force\`, or use another profile (--profile <name>)`
            : `this profile is set up for ${other.brokerUrl}; to replace that, run \`hourglass setup ${brokerUrl} --force\`, or use another profile (--profile <name>)`,
      },
    });
  const written = writeProfileConfig(
    dataDir,
    brokerUrl,
    issuer.value,
    url.value.protocol === 'http:',
  );
  print(
    ctx,
    written,
    (shown) =>
      [
        `Set up for broker ${shown.brokerUrl}`,
        `  identity provider ${shown.issuer} (client ${shown.clientId}, audience ${shown.audience})`,
        `  written to ${shown.path}`,
        'Next: hourglass login   (hourglass doctor checks everything)',
      ].join('\n') + '\n',
  );
  return EXIT.ok;
}
