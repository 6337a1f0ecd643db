/** `GET /.well-known/hourglass` publishes, per issuer, how a client asks it for the broker audience. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerDiscoverySchema } from '../../protocol/broker-api.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { startTestBroker, startTestIdp } from './live-harness.ts';

let idp: DemoIdp;
const brokers: RunningBroker[] = [];

beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await Promise.all(brokers.map((b) => b.close()));
  await idp?.close();
});

async function discovery(broker: RunningBroker) {
  const answer = await fetch(`${broker.url}/.well-known/hourglass`);
  expect(answer.status).toBe(200);
  return brokerDiscoverySchema.parse(await answer.json());
}

describe('broker discovery for `hourglass setup`', () => {
  it('says `resource` (RFC 8707) when the config names nothing', async () => {
    const broker = await startTestBroker(idp);
    brokers.push(broker);
    expect((await discovery(broker)).issuers).toEqual([
      {
        issuer: idp.issuer,
        audience: BROKER_AUDIENCE,
        clientId: null,
        name: null,
        audienceParameter: 'resource',
      },
    ]);
  });

  it('publishes each issuer its own way (Auth0: audience, Entra ID: scope)', async () => {
    const broker = await startTestBroker(idp, {
      config: {
        issuers: [
          {
            issuer: 'https://acme.eu.auth0.com/',
            audience: 'https://hourglass.acme',
            name: 'auth0',
            clientId: 'abc',
            audienceParameter: 'audience',
          },
          {
            issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
            audience: 'api://hourglass',
            name: 'entra',
            clientId: 'def',
            audienceParameter: 'scope',
          },
        ],
      },
    });
    brokers.push(broker);
    const published = (await discovery(broker)).issuers.map((i) => [i.name, i.audienceParameter]);
    expect(published).toEqual([
      ['auth0', 'audience'],
      ['entra', 'scope'],
    ]);
  });

  it('refuses an unknown way in the config, naming the choices', async () => {
    await expect(
      startTestBroker(idp, {
        config: {
          issuers: [
            {
              issuer: idp.issuer,
              audience: BROKER_AUDIENCE,
              // @ts-expect-error: not one of the four ways
              audienceParameter: 'aud',
            },
          ],
        },
      }),
    ).rejects.toThrow(
      /audienceParameter.*resource.*audience.*scope.*none|resource.*audience.*scope.*none/s,
    );
  });
});
