import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { HttpRequestMetrics } from '../../../src/observability/http-request-metrics';

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('HttpRequestMetrics', () => {
  it('should expose counts by status and a cumulative latency histogram in the Prometheus text format', async () => {
    const metrics = new HttpRequestMetrics();
    const registry = new Registry();
    metrics.register(registry);
    metrics.observe('GET', '/api/modules/:id', 200, 0.004);
    metrics.observe('GET', '/api/modules/:id', 200, 0.005);
    metrics.observe('GET', '/api/modules/:id', 404, 0.03);
    metrics.observe('GET', '/api/modules/:id', 200, 42);
    metrics.observe('POST', '/api/chat', 201, 0.2);
    const text = await registry.metrics();

    assert.match(text, /# TYPE http_requests_total counter/);
    assert.match(text, /# TYPE http_request_duration_seconds histogram/);
    const route = 'method="GET",route="/api/modules/:id"';
    assert.equal(sample(text, 'http_requests_total', `${route},status="200"`), 3);
    assert.equal(sample(text, 'http_requests_total', `${route},status="404"`), 1);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', `${route},le="0.005"`), 2, 'a bound includes its own value');
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', `${route},le="0.025"`), 2);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', `${route},le="0.05"`), 3);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', `${route},le="10"`), 3);
    assert.equal(sample(text, 'http_request_duration_seconds_bucket', `${route},le="+Inf"`), 4);
    assert.equal(sample(text, 'http_request_duration_seconds_count', route), 4);
    assert.ok(Math.abs(sample(text, 'http_request_duration_seconds_sum', route)! - 42.039) < 1e-9);
    assert.equal(sample(text, 'http_requests_total', 'method="POST",route="/api/chat",status="201"'), 1);
  });
});
