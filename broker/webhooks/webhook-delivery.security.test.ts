/**
 * Webhook delivery against a real local HTTP server: a redirect is never followed (issue 18,
 * finding 8), and user text cannot mention or link in Slack (finding 6).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSender } from './webhook-delivery.ts';
import { targetId, type WebhookSnapshot, type WebhookTarget } from './webhooks.ts';

let server: Server;
let base: string;
let hits: { path: string; body: string; signature: string | undefined }[] = [];
let redirectStatus = 307;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const signature = req.headers['x-hourglass-signature'];
      hits.push({
        path: req.url ?? '',
        body,
        signature: typeof signature === 'string' ? signature : undefined,
      });
      if (req.url === '/hook') {
        res.writeHead(redirectStatus, { location: '/collector' });
        res.end();
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
beforeEach(() => {
  hits = [];
});

function effectFor(
  target: WebhookTarget,
  grant: Partial<WebhookSnapshot['grant']> = {},
  who = 'Bob',
) {
  const snap: WebhookSnapshot = {
    target: targetId(target),
    event: 'requested',
    at: '2030-01-01T00:00:00.000Z',
    who,
    grant: {
      id: 'g1',
      role: 'prod-api-admin',
      requester: 'idp#bob',
      requesterName: who,
      status: 'pending',
      reason: 'check the queue',
      ticket: 'INC-1',
      expiresAt: null,
      approvals: [],
      ...grant,
    },
  };
  return {
    kind: 'webhook' as const,
    grantId: 'g1',
    event: 'requested',
    payload: JSON.stringify(snap),
  };
}

describe('webhook redirects (threat: a signed POST replayed to a URL nobody configured)', () => {
  it.each([301, 302, 303, 307, 308])(
    'a %i is a failed delivery with a clear reason; nothing follows it',
    async (status) => {
      redirectStatus = status;
      const target: WebhookTarget = {
        url: `${base}/hook`,
        format: 'json',
        secret: 'webhook-secret',
      };
      const sender = createWebhookSender([target], () => Promise.resolve(undefined));
      await expect(sender.deliver(effectFor(target), new Date())).rejects.toThrow(
        new RegExp(`answered ${status}, a redirect; webhooks never follow redirects`),
      );
      expect(hits.map((h) => h.path)).toEqual(['/hook']);
    },
  );

  it('a target answering 200 still gets its signed delivery', async () => {
    const target: WebhookTarget = {
      url: `${base}/collector`,
      format: 'json',
      secret: 'webhook-secret',
    };
    const sender = createWebhookSender([target], () => Promise.resolve(undefined));
    expect(await sender.deliver(effectFor(target), new Date())).toBe('sent');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('Slack messages (threat: a requester pinging everyone or disguising a link)', () => {
  const hostile = {
    reason:
      'urgent <!channel> <!here|here> @here see <https://evil.example|https://hourglass.corp/approve> & <@U123>',
    ticket: 'INC-1 <!everyone>',
  };

  async function posted(): Promise<{ text: string; blocks: unknown[]; link_names: boolean }> {
    const target: WebhookTarget = { url: `${base}/slack`, format: 'slack' };
    const sender = createWebhookSender([target], () => Promise.resolve(undefined));
    expect(await sender.deliver(effectFor(target, hostile, 'Mallory <!channel>'), new Date())).toBe(
      'sent',
    );
    const hit = hits.find((h) => h.path === '/slack');
    return JSON.parse(hit?.body ?? '{}') as {
      text: string;
      blocks: unknown[];
      link_names: boolean;
    };
  }

  it('escapes & < > in all user text: no mention, no channel ping, no disguised link', async () => {
    const message = await posted();
    // Slack acts only on `<…>` sequences; none is left in the mrkdwn it parses.
    expect(message.text).not.toMatch(/[<>]/);
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text).toContain('&lt;https://evil.example|https://hourglass.corp/approve&gt;');
    expect(message.text).toContain('&amp; &lt;@U123&gt;');
    expect(message.text).toContain('Mallory &lt;!channel&gt;');
    expect(message.text).not.toMatch(/@here\b/);
    expect(message.link_names).toBe(false);
  });

  it('puts user text in the blocks only as plain_text, which Slack never parses', async () => {
    const message = await posted();
    const mrkdwn = JSON.stringify(message.blocks).match(/"type":"mrkdwn","text":"[^"]*"/g) ?? [];
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const field of mrkdwn) expect(field).not.toMatch(/[<>]|evil|@here/);
    const plain = JSON.stringify(message.blocks);
    expect(plain).toContain('"type":"plain_text"');
    expect(plain).toContain('https://evil.example');
  });
});
