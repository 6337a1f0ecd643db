/** `/readyz` and `/metrics` on a live broker: readiness, grants by state, lateness, SSE clients, latency. */
import { describe, expect, it } from 'vitest';
import { useLiveBroker } from './live-checks.ts';
import { call, waitFor } from './live-harness.ts';
import { openSse } from './sse-test-client.ts';

const live = useLiveBroker();

const metricsText = async () => (await fetch(`${live.broker.url}/metrics`)).text();
const sample = (text: string, line: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${line} `))
      ?.split(' ')[1] ?? NaN,
  );

describe('operations endpoints', () => {
  it('/readyz answers 200 without a token once the broker serves', async () => {
    const res = await fetch(`${live.broker.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('/metrics counts grants by state, expiry lateness, SSE clients and request latency', async () => {
    const created = await call(live.broker, 'POST', '/v1/requests', live.alice, {
      role: 'prod-api-readonly',
      durationSeconds: 1,
      reason: 'metrics',
    });
    expect(created.status).toBe(201);
    const stream = await openSse(`${live.broker.url}/v1/events`, live.alice);
    await waitFor(() => stream.frames.find((f) => f.event === 'ready'), 'ready');
    const during = await metricsText();
    expect(sample(during, 'hourglass_grants{state="active"}')).toBe(1);
    expect(sample(during, 'hourglass_sse_clients')).toBe(1);
    expect(during).toMatch(
      /hourglass_http_request_duration_seconds_count\{method="POST",route="\/v1\/requests",status="201"\} 1/,
    );
    // The scheduler expires it on its own; its lateness is observed. One scrape reads the store
    // before it renders the histogram, so an expiry committing in between shows in one only.
    const after = await waitFor(
      async () => {
        const text = await metricsText();
        const both =
          sample(text, 'hourglass_expiry_lateness_seconds_count') === 1 &&
          sample(text, 'hourglass_grants{state="expired"}') === 1;
        return both ? text : undefined;
      },
      'the expiry in the store and in the lateness histogram',
      5000,
    );
    expect(sample(after, 'hourglass_grants{state="active"}')).toBe(0);
    expect(sample(after, 'hourglass_expiry_lateness_seconds_bucket{le="1"}')).toBe(1);
    expect(sample(after, 'hourglass_revocation_failures')).toBe(0);
    expect(sample(after, 'hourglass_irrevocable_grants')).toBe(0);
    stream.close();
  });
});
