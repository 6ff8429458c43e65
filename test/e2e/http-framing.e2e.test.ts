import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { RawAnswer, portOf, sendRaw } from '../support/raw-http';
import { loginAdmin, startTestApp, TestApp } from '../support/test-app';

/**
 * Requests no HTTP library would write, sent as bytes on a socket: whatever Node's parser or
 * server answers by itself must still be an answer of API.md (envelope, request id, security
 * headers), never Node's or Fastify's own.
 */

const JSON_LOGIN = 'POST /api/auth/login HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n';

describe('requests refused or answered before any route runs', () => {
  let t: TestApp;
  let port: number;
  /** The security headers of an ordinary answer, which every refusal must carry as well. */
  let security: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    port = await portOf(t.app);
    const ordinary = await t.http.get('/health/live');
    security = Object.fromEntries(
      ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'strict-transport-security'].map(
        (name) => [name, String(ordinary.headers[name])],
      ),
    );
  });
  afterAll(() => t.close());

  /** Asserts an answer of API.md with the given status and code, and returns its message. */
  function assertEnvelope(answer: RawAnswer, status: number, code: string, what: string): string {
    assert.equal(answer.status, status, `${what}: ${answer.raw.slice(0, 300)}`);
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/, what);
    const body = JSON.parse(answer.body) as { ok: boolean; error: { code: string; message: string }; request_id: string };
    assert.equal(body.ok, false, what);
    assert.equal(body.error.code, code, what);
    assert.equal(typeof body.error.message, 'string', what);
    assert.ok(body.request_id, what);
    assert.equal(answer.headers['x-request-id'], body.request_id, what);
    for (const [name, value] of Object.entries(security)) assert.equal(answer.headers[name], value, `${what}: ${name}`);
    return body.error.message;
  }

  const malformed: Record<string, string> = {
    'a request line that is not one': 'GARBAGE\r\n\r\n',
    'an unknown method': 'FETCH /health/live HTTP/1.1\r\nHost: api.test\r\n\r\n',
    'a method with a character no method has': 'G@T /health/live HTTP/1.1\r\nHost: api.test\r\n\r\n',
    'an HTTP version that does not exist': 'GET /health/live HTTP/9.9\r\nHost: api.test\r\n\r\n',
    'a target without a leading slash': 'GET health/live HTTP/1.1\r\nHost: api.test\r\n\r\n',
    'the HTTP/2 preface on an HTTP/1.1 port': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'a control character in a header name': 'GET /health/live HTTP/1.1\r\nHost: api.test\r\nX-Bad\u0001: v\r\n\r\n',
    'a NUL byte in a header value': 'GET /health/live HTTP/1.1\r\nHost: api.test\r\nX-Bad: a\u0000b\r\n\r\n',
    'a space before a header colon': 'GET /health/live HTTP/1.1\r\nHost : api.test\r\n\r\n',
    'a folded header line': 'GET /health/live HTTP/1.1\r\nHost: api.test\r\nX-A: b\r\n c\r\n\r\n',
    'lines ended by LF alone': 'GET /health/live HTTP/1.1\nHost: api.test\n\n',
    'a Content-Length that is not a number': `${JSON_LOGIN}Content-Length: two\r\n\r\n{}`,
    'two different Content-Lengths': `${JSON_LOGIN}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    'Content-Length beside Transfer-Encoding': `${JSON_LOGIN}Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    'a Transfer-Encoding other than chunked': `${JSON_LOGIN}Transfer-Encoding: gzip\r\n\r\n{}`,
    'chunked not last among the transfer codings': `${JSON_LOGIN}Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    'a chunk size that is not hexadecimal': `${JSON_LOGIN}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    'bytes beyond the Content-Length that are no request': `${JSON_LOGIN}Content-Length: 1\r\n\r\n{}`,
  };

  it('should answer every request the HTTP parser refuses with 400 validation_failed in the envelope, and close', async () => {
    for (const [what, bytes] of Object.entries(malformed)) {
      const answer = await sendRaw(port, bytes);
      assertEnvelope(answer, 400, 'validation_failed', what);
      assert.equal(answer.headers.connection, 'close', what);
    }
  });

  it('should log a refused request once, as information with its request id and the reason', async () => {
    const answer = await sendRaw(port, 'GET /health/live HTTP/1.1\r\nHost: api.test\r\nX-Bad\u0001: v\r\n\r\n');
    const id = answer.headers['x-request-id'];
    const line = await t.logLine((l) => l.request_id === id);
    assert.equal(line.level, 'info');
    assert.equal(line.reason, 'HPE_INVALID_HEADER_TOKEN');
    assert.equal(line.stack, undefined);
  });

  it('should refuse a request line and headers over 32 KB in the envelope: an overlong URL, many headers, a huge token', async () => {
    const oversized: Record<string, string> = {
      'an overlong URL': `GET /api/modules?q=${'a'.repeat(40_000)} HTTP/1.1\r\nHost: api.test\r\n\r\n`,
      'many headers': `GET /health/live HTTP/1.1\r\nHost: api.test\r\n${Array.from({ length: 40 }, (_, i) => `X-H${i}: ${'v'.repeat(1_000)}\r\n`).join('')}\r\n`,
      'a 40 KB bearer token': `GET /api/users/me HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer ${'x'.repeat(40_000)}\r\n\r\n`,
    };
    for (const [what, bytes] of Object.entries(oversized)) {
      const message = assertEnvelope(await sendRaw(port, bytes), 400, 'validation_failed', what);
      assert.match(message, /too large/, what);
    }
  });

  it('should let a 20 KB bearer token reach the token check, which refuses it with 401 and its challenge', async () => {
    // Over Node's default 16 KB header limit: that used to be Fastify's own 431.
    const answer = await sendRaw(
      port,
      `GET /api/users/me HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer ${'x'.repeat(20_000)}\r\n\r\n`,
    );
    assertEnvelope(answer, 401, 'unauthorized', 'a 20 KB token');
    assert.match(answer.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    // Under the limit, the same headers still serve an ordinary request.
    const admin = await loginAdmin(t.http);
    const padded = await sendRaw(
      port,
      `GET /api/users/me HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer ${admin.accessToken}\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`,
    );
    assert.equal(padded.status, 200, padded.raw.slice(0, 300));
  });

  it('should refuse an HTTP/1.1 request without Host in the envelope, and serve an HTTP/1.0 one', async () => {
    // RFC 9112 §3.2: 400 for HTTP/1.1; Node's own answer was a bare 400 without a body.
    const message = assertEnvelope(await sendRaw(port, 'GET /health/live HTTP/1.1\r\n\r\n'), 400, 'validation_failed', 'no Host');
    assert.match(message, /Host/);
    const old = await sendRaw(port, 'GET /health/live HTTP/1.0\r\n\r\n');
    assert.equal(old.status, 200);
    assert.deepEqual(JSON.parse(old.body), { ok: true, data: { status: 'ok' } });
  });

  it('should serve a request with an expectation it does not know, rather than a bare 417', async () => {
    const answer = await sendRaw(port, 'GET /health/live HTTP/1.1\r\nHost: api.test\r\nExpect: a-teapot\r\n\r\n');
    assert.equal(answer.status, 200, answer.raw.slice(0, 300));
    assert.deepEqual(JSON.parse(answer.body), { ok: true, data: { status: 'ok' } });
    assert.ok(answer.headers['x-request-id']);
    const continued = await sendRaw(port, `${JSON_LOGIN}Content-Length: 2\r\nExpect: 100-continue\r\n\r\n{}`);
    assertEnvelope(continued, 400, 'validation_failed', 'a login without fields after 100 Continue');
  });

  it('should answer CONNECT, which no route takes, with 404 in the envelope rather than closing without a word', async () => {
    const answer = await sendRaw(port, 'CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\nX-Request-Id: connect-1\r\n\r\n');
    assertEnvelope(answer, 404, 'not_found', 'CONNECT');
    assert.equal(answer.headers['x-request-id'], 'connect-1');
  });

  it('should give answers to request targets that are not paths the request id and security headers', async () => {
    for (const target of ['OPTIONS * HTTP/1.1', 'GET *health/live HTTP/1.1']) {
      const answer = await sendRaw(port, `${target}\r\nHost: api.test\r\nX-Request-Id: target-1\r\n\r\n`);
      assertEnvelope(answer, 404, 'not_found', target);
      assert.equal(answer.headers['x-request-id'], 'target-1', target);
    }
  });

  it('should answer a target in absolute form like its path, in the envelope', async () => {
    const answer = await sendRaw(port, 'GET http://api.test/health/live HTTP/1.1\r\nHost: api.test\r\n\r\n');
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ok: true, data: { status: 'ok' } });
    assertEnvelope(
      await sendRaw(port, 'GET http://api.test/api/users/me HTTP/1.1\r\nHost: api.test\r\n\r\n'),
      401,
      'unauthorized',
      'absolute /api',
    );
  });
});

describe('a request that does not arrive whole in time', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '1000' } });
    port = await portOf(t.app);
  });
  afterAll(() => t.close());

  it('should be answered 400 in the envelope and its connection closed, whoever sends it', async () => {
    // A body announced longer than it is: without a limit, the connection stayed open for good.
    const started = Date.now();
    const answer = await sendRaw(port, `${JSON_LOGIN}Content-Length: 100\r\n\r\n{"email":`, 10_000);
    assert.equal(answer.status, 400, answer.raw.slice(0, 300));
    const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'validation_failed');
    assert.match(body.error.message, /not received in time/);
    assert.equal(answer.headers.connection, 'close');
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
  });

  it('should still serve a request that arrives whole within the limit', async () => {
    const answer = await sendRaw(port, 'GET /health/live HTTP/1.1\r\nHost: api.test\r\n\r\n');
    assert.equal(answer.status, 200);
  });
});
