/** Starts the demo stack in-process: the demo IdP and the broker on SQLite with the demo policy. */
import { startDemoIdp, DEMO_CLIENT_ID } from './idp.ts';

/** The fixed resource indicator / audience of the broker's access tokens. */
export const BROKER_AUDIENCE = 'urn:hourglass:broker';

/** A running demo stack. */
export interface DemoStack {
  issuer: string;
  brokerUrl: string;
  brokerAudience: string;
  clientId: string;
  close(): Promise<void>;
}

/** Starts IdP + broker on 127.0.0.1. Until the broker lands this starts the IdP only. */
export async function startDemoStack(opts: {
  dataDir: string;
  policyPath?: string;
  idpPort?: number;
  brokerPort?: number;
}): Promise<DemoStack> {
  const idp = await startDemoIdp({
    brokerAudience: BROKER_AUDIENCE,
    ...(opts.idpPort !== undefined ? { port: opts.idpPort } : {}),
  });
  return {
    issuer: idp.issuer,
    brokerUrl: '',
    brokerAudience: BROKER_AUDIENCE,
    clientId: DEMO_CLIENT_ID,
    close: () => idp.close(),
  };
}
