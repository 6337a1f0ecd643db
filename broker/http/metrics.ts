/** Prometheus text exposition for the broker: counters, gauges and histograms, no dependency. */

/** A histogram with fixed upper bounds (seconds). */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  /** Records one observation under `labels` (a rendered label set, e.g. `route="/v1/me"`). */
  observe(value: number, labels = ''): void {
    let entry = this.#counts.get(labels);
    if (!entry) {
      entry = { buckets: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#counts.set(labels, entry);
    }
    this.#bounds.forEach((bound, i) => {
      if (value <= bound && entry) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
  }

  /** The exposition lines for metric `name`. */
  render(name: string, help: string): string[] {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const [labels, entry] of this.#counts) {
      const sep = labels ? `${labels},` : '';
      this.#bounds.forEach((bound, i) =>
        lines.push(`${name}_bucket{${sep}le="${bound}"} ${entry.buckets[i] ?? 0}`),
      );
      lines.push(`${name}_bucket{${sep}le="+Inf"} ${entry.count}`);
      const suffix = labels ? `{${labels}}` : '';
      lines.push(`${name}_sum${suffix} ${entry.sum}`, `${name}_count${suffix} ${entry.count}`);
    }
    return lines;
  }
}

/** A label value escaped for the text format. */
export const labelValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Gauge lines for `name` over label sets. */
export function gauge(name: string, help: string, values: [string, number][]): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...values.map(([labels, value]) => `${name}${labels ? `{${labels}}` : ''} ${value}`),
  ];
}

/** Counter lines for `name` over label sets. */
export function counter(name: string, help: string, values: [string, number][]): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    ...values.map(([labels, value]) => `${name}${labels ? `{${labels}}` : ''} ${value}`),
  ];
}

/** The broker's own measurements, filled by hooks; the rest is read from the store per scrape. */
export interface BrokerMetrics {
  requestSeconds: Histogram;
  expiryLatenessSeconds: Histogram;
}

/** Fresh metrics. */
export function createBrokerMetrics(): BrokerMetrics {
  return {
    requestSeconds: new Histogram([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    expiryLatenessSeconds: new Histogram([0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]),
  };
}
