import type { Metric, MetricObjectWithValues, MetricType, MetricValue, Registry } from 'prom-client';

const REQUESTS_METRIC = 'http_requests_total';
const LATENCY_METRIC = 'http_request_duration_seconds';
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RouteTally {
  byStatus: Map<number, number>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

type Labels = Record<string, string | number>;

/**
 * Request counts and latencies by method and route pattern, for Prometheus. Tallied in plain maps
 * and turned into prom-client's samples only when `/metrics` is read: prom-client's labelled
 * counter and histogram hash a label object on every observation, which cost more than the rest
 * of the bookkeeping on a small route.
 */
export class HttpRequestMetrics {
  /** route pattern → method → tally; both keys are strings Fastify and Node already hold. */
  private readonly tallies = new Map<string, Map<string, RouteTally>>();

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.tallies.get(route);
    if (!byMethod) this.tallies.set(route, (byMethod = new Map<string, RouteTally>()));
    let tally = byMethod.get(method);
    if (!tally) {
      tally = { byStatus: new Map(), buckets: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0), sum: 0, count: 0 };
      byMethod.set(method, tally);
    }
    tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[bucket]!) bucket += 1;
    tally.buckets[bucket]! += 1;
    tally.sum += seconds;
    tally.count += 1;
  }

  register(registry: Registry): void {
    registry.registerMetric(collector(REQUESTS_METRIC, 'HTTP requests by route and status', 'counter', () => this.requestSamples()));
    registry.registerMetric(collector(LATENCY_METRIC, 'HTTP request latency by route', 'histogram', () => this.latencySamples()));
  }

  private *eachTally(): Generator<[Labels, RouteTally]> {
    for (const [route, byMethod] of this.tallies) {
      for (const [method, tally] of byMethod) yield [{ method, route }, tally];
    }
  }

  private requestSamples(): MetricValue<string>[] {
    const samples: MetricValue<string>[] = [];
    for (const [labels, tally] of this.eachTally()) {
      for (const [status, count] of tally.byStatus) samples.push({ labels: { ...labels, status: String(status) }, value: count });
    }
    return samples;
  }

  private latencySamples(): MetricValue<string>[] {
    const samples: (MetricValue<string> & { metricName: string })[] = [];
    for (const [labels, tally] of this.eachTally()) {
      let cumulative = 0;
      LATENCY_BUCKETS_SECONDS.forEach((bound, i) => {
        cumulative += tally.buckets[i]!;
        samples.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${LATENCY_METRIC}_bucket` });
      });
      samples.push({ labels: { ...labels, le: '+Inf' }, value: tally.count, metricName: `${LATENCY_METRIC}_bucket` });
      samples.push({ labels, value: tally.sum, metricName: `${LATENCY_METRIC}_sum` });
      samples.push({ labels, value: tally.count, metricName: `${LATENCY_METRIC}_count` });
    }
    return samples;
  }
}

/** A metric whose samples are computed when read, in the shape prom-client's registry expects. */
function collector(name: string, help: string, kind: 'counter' | 'histogram', samples: () => MetricValue<string>[]): Metric {
  const described = { name, help, type: kind as unknown as MetricType, aggregator: 'sum' as const, collect: () => undefined };
  return {
    ...described,
    get: (): Promise<MetricObjectWithValues<MetricValue<string>>> => Promise.resolve({ ...described, values: samples() }),
    // The tallies live as long as the process, like prom-client's own counters.
    reset: () => undefined,
  } as unknown as Metric;
}
