import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Account, bearer, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/** The Prometheus endpoint through the booted app, in each of its three modes. */

const LOOPS_MD = `# Loops

A while loop repeats its body as long as its condition stays true.
A for loop walks through the items of a sequence one by one.
`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (samples only; comments say what each family is). */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function typeOf(text: string, name: string): string | undefined {
  return new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(text)?.[1];
}

describe('metrics, open', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let moduleId: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS: 'open' } });
    admin = await loginAdmin(t.http);
    student = await register(t.http);
    const created = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Loops' });
    moduleId = created.body.data.id;
  });
  afterAll(() => t.close());

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const response = await t.http.get('/metrics');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return { text: response.text, samples: parseSamples(response.text) };
  }

  it('should count requests by method, route pattern and status, with a latency histogram', async () => {
    const id = 'c'.repeat(24);
    const before = (await scrape()).samples;
    await t.http.get(`/api/modules/${moduleId}`).set(bearer(student)).expect(200);
    await t.http.get(`/api/modules/${moduleId}`).set(bearer(student)).expect(200);
    await t.http.get(`/api/modules/${id}`).set(bearer(student)).expect(404);
    const { text, samples } = await scrape();

    const route = { method: 'GET', route: '/api/modules/:id' };
    assert.equal(typeOf(text, 'http_requests_total'), 'counter');
    assert.equal(
      total(samples, 'http_requests_total', { ...route, status: '200' }) -
        total(before, 'http_requests_total', { ...route, status: '200' }),
      2,
    );
    assert.equal(
      total(samples, 'http_requests_total', { ...route, status: '404' }) -
        total(before, 'http_requests_total', { ...route, status: '404' }),
      1,
    );
    assert.ok(!samples.some((s) => s.labels.route?.includes(id)), 'routes are patterns, not raw paths with ids');

    assert.equal(typeOf(text, 'http_request_duration_seconds'), 'histogram');
    const count = total(samples, 'http_request_duration_seconds_count', route);
    assert.equal(count - total(before, 'http_request_duration_seconds_count', route), 3);
    assert.equal(total(samples, 'http_request_duration_seconds_bucket', { ...route, le: '+Inf' }), count);
    assert.ok(total(samples, 'http_request_duration_seconds_sum', route) > 0);
    const buckets = samples.filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === route.route && s.labels.method === 'GET',
    );
    assert.ok(buckets.length > 2);
    for (let i = 1; i < buckets.length; i += 1) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
  });

  it('should count embedding calls for indexing and for searching', async () => {
    const before = (await scrape()).samples;
    const upload = await t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(admin))
      .send({ title: 'Loops', content: LOOPS_MD, format: 'markdown' });
    assert.equal(upload.status, 201);
    const afterUpload = (await scrape()).samples;
    assert.ok(
      total(afterUpload, 'embedding_calls_total', { purpose: 'index' }) > total(before, 'embedding_calls_total', { purpose: 'index' }),
    );

    const search = await t.http.get('/api/search').query({ q: 'while loop condition' }).set(bearer(student));
    assert.equal(search.status, 200);
    const afterSearch = (await scrape()).samples;
    assert.equal(
      total(afterSearch, 'embedding_calls_total', { purpose: 'query' }) - total(afterUpload, 'embedding_calls_total', { purpose: 'query' }),
      1,
    );
  });

  it('should count model calls and their tokens after a chat', async () => {
    const before = (await scrape()).samples;
    const chat = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'What does a while loop do?', module_id: moduleId });
    assert.equal(chat.status, 200);
    let samples = (await scrape()).samples;
    // The model call is recorded as the answer leaves; give it a moment.
    for (let i = 0; i < 50 && total(samples, 'llm_tokens_total') === total(before, 'llm_tokens_total'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      samples = (await scrape()).samples;
    }
    const calls = samples.filter((s) => s.name === 'llm_calls_total' && s.labels.outcome === 'ok');
    assert.ok(calls.length > 0, 'a successful model call is counted');
    assert.ok(calls.every((s) => s.labels.provider && s.labels.model && s.labels.task));
    assert.ok(total(samples, 'llm_calls_total', { outcome: 'ok' }) > total(before, 'llm_calls_total', { outcome: 'ok' }));
    for (const kind of ['prompt', 'completion']) {
      assert.ok(total(samples, 'llm_tokens_total', { kind }) > total(before, 'llm_tokens_total', { kind }), `${kind} tokens are counted`);
    }
    assert.ok(total(samples, 'llm_call_duration_seconds_count') >= total(samples, 'llm_calls_total'));
  });

  it('should count an index rebuild once it has finished', async () => {
    const rebuild = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(rebuild.status, 202);
    let status = rebuild.body.data.status as string;
    for (let i = 0; i < 200 && (status === 'queued' || status === 'running'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await t.http.get(`/api/admin/index/jobs/${rebuild.body.data.id}`).set(bearer(admin))).body.data.status;
    }
    assert.equal(status, 'succeeded');
    const { samples } = await scrape();
    assert.equal(total(samples, 'index_jobs_total', { status: 'succeeded' }), 1);
    assert.equal(total(samples, 'index_jobs_total', { status: 'failed' }), 0);
  });

  it('should not need a token when open, and stay out of the OpenAPI document', async () => {
    assert.equal((await t.http.get('/metrics')).status, 200);
    const document = await t.http.get('/docs-json');
    assert.equal(document.status, 200);
    assert.ok(!Object.keys(document.body.paths).includes('/metrics'));
  });
});

describe('metrics, off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS: 'off' } });
  });
  afterAll(() => t.close());

  it('should answer 404 with the error envelope', async () => {
    const response = await t.http.get('/metrics');
    assert.equal(response.status, 404);
    assert.equal(errorCode(response), 'not_found');
    assert.ok(!response.text.includes('http_requests_total'));
  });
});

describe('metrics behind a token', () => {
  const token = 'metrics-token-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS: 'token', METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  it('should answer 401 without the token or with a wrong one', async () => {
    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token, `Basic ${token}`]) {
      const call = t.http.get('/metrics');
      const response = await (authorization === undefined ? call : call.set('Authorization', authorization));
      assert.equal(response.status, 401, String(authorization));
      assert.equal(errorCode(response), 'unauthorized');
      assert.ok(!response.text.includes('http_requests_total'));
      const presented = authorization?.startsWith('Bearer ') ?? false;
      assert.equal(response.headers['www-authenticate'], `Bearer realm="metrics"${presented ? ', error="invalid_token"' : ''}`);
    }
  });

  it("should not take a user's access token for the metrics token", async () => {
    const admin = await loginAdmin(t.http);
    assert.equal((await t.http.get('/metrics').set(bearer(admin))).status, 401);
  });

  it('should serve the metrics with the right bearer token', async () => {
    const response = await t.http.get('/metrics').set('Authorization', `Bearer ${token}`);
    assert.equal(response.status, 200);
    assert.match(response.text, /^# TYPE http_requests_total counter$/m);
    assert.ok(
      parseSamples(response.text).some(
        (s) => s.name === 'http_requests_total' && s.labels.route === '/metrics' && s.labels.status === '401',
      ),
    );
  });
});
