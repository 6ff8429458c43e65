import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { Account, bearer, register, startTestApp, TestApp } from '../support/test-app';
import { parseEvents, streamText } from '../support/event-stream';

/** API.md, "Input and limits": every answer carries the same headers, event streams and the Swagger UI included. */

const ORIGIN = 'https://school.example';

/** Headers every API answer shares: the request id, the security headers and CORS. */
function sharedHeaders(response: request.Response): Record<string, string> {
  const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'cache-control', 'transfer-encoding']);
  return Object.fromEntries(
    Object.entries(response.headers as Record<string, string>).filter(
      ([name]) => !own.has(name) && name !== 'x-request-id' && name !== 'x-accel-buffering',
    ),
  );
}

describe('headers of every answer', () => {
  let t: TestApp;
  let student: Account;

  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: `${ORIGIN},https://other.example` } });
    student = await register(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should give the chat event stream the request id, the security headers and CORS of a JSON answer', async () => {
    const json = await t.http.post('/api/chat').set(bearer(student)).set('Origin', ORIGIN).send({ message: 'hello' });
    assert.equal(json.status, 200);
    const stream = await t.http
      .post('/api/chat/stream')
      .set(bearer(student))
      .set('Origin', ORIGIN)
      .set('X-Request-Id', 'stream-headers-1')
      .send({ message: 'hello' })
      .buffer(true)
      .parse(streamText);
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.equal(parseEvents(stream.body as string).at(-1)?.event, 'done');
    assert.equal(stream.headers['x-request-id'], 'stream-headers-1');
    assert.equal(stream.headers['x-content-type-options'], 'nosniff');
    assert.equal(stream.headers['access-control-allow-origin'], ORIGIN);
    assert.match(String(stream.headers['access-control-expose-headers']), /X-Request-Id/);
    assert.deepEqual(sharedHeaders(stream), sharedHeaders(json));
  });

  it('should leave CORS headers off the stream for an origin that is not allowed', async () => {
    const stream = await t.http
      .post('/api/chat/stream')
      .set(bearer(student))
      .set('Origin', 'https://evil.example')
      .send({ message: 'hello' })
      .buffer(true)
      .parse(streamText);
    assert.equal(stream.status, 200);
    assert.equal(stream.headers['access-control-allow-origin'], undefined);
    assert.equal(stream.headers['x-content-type-options'], 'nosniff');
  });

  it('should serve the Swagger UI and its assets without upgrade-insecure-requests, so it works over plain HTTP', async () => {
    for (const path of ['/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']) {
      const response = await t.http.get(path);
      assert.equal(response.status, 200, path);
      const policy = String(response.headers['content-security-policy']);
      assert.match(policy, /default-src 'self'/, path);
      assert.doesNotMatch(policy, /upgrade-insecure-requests/, path);
    }
  });
});
