import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, errorCode, register, startTestApp, TestApp } from '../support/test-app';

describe('platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('request ids', () => {
    it('should echo a well-formed X-Request-Id and name it in the log line of the request', async () => {
      const response = await t.http.get('/health/live').set('X-Request-Id', 'client-id_1.2');
      assert.equal(response.headers['x-request-id'], 'client-id_1.2');
      const line = await t.logLine((l) => l.request_id === 'client-id_1.2' && l.msg === 'request');
      assert.equal(line.status, 200);
      assert.equal(line.route, '/health/live');
    });

    it('should replace a malformed or oversized X-Request-Id with a new one', async () => {
      for (const incoming of ['bad id with spaces', 'x'.repeat(129), 'semi;colon']) {
        const response = await t.http.get('/health/live').set('X-Request-Id', incoming);
        assert.notEqual(response.headers['x-request-id'], incoming);
        assert.match(response.headers['x-request-id'], /^[A-Za-z0-9._-]{1,128}$/);
      }
    });

    it('should put the request id in error bodies too', async () => {
      const response = await t.http.get('/api/users/me').set('X-Request-Id', 'trace-me');
      assert.equal(response.body.request_id, 'trace-me');
    });
  });

  describe('logs', () => {
    it('should never write passwords or tokens to the log', async () => {
      const account = await register(t.http, { password: 'very-secret-password-1' });
      await t.http.post('/api/auth/login').send({ email: account.email, password: 'wrong-secret-password-2' });
      await t.http.get('/api/users/me').set(bearer(account)).set('X-Request-Id', 'secrets-check');
      await t.logLine((l) => l.request_id === 'secrets-check');
      const text = JSON.stringify(t.logs());
      assert.doesNotMatch(text, /very-secret-password-1|wrong-secret-password-2/);
      assert.ok(!text.includes(account.accessToken));
      assert.ok(!text.includes(account.refreshToken));
    });

    it('should write one JSON line per request with method, route, status and duration', async () => {
      await t.http.get('/health/live').set('X-Request-Id', 'line-check');
      await t.logLine((l) => l.request_id === 'line-check');
      const lines = t.logs().filter((l) => l.request_id === 'line-check' && l.msg === 'request');
      assert.equal(lines.length, 1);
      assert.equal(lines[0].method, 'GET');
      assert.equal(typeof lines[0].duration_ms, 'number');
      assert.equal(typeof lines[0].time, 'string');
    });

    it('should write the last request lines when the app closes', async () => {
      const closing = await startTestApp();
      await closing.http.get('/health/live').set('X-Request-Id', 'last-words');
      await closing.close();
      assert.ok(closing.logs().some((l) => l.request_id === 'last-words' && l.msg === 'request'));
    });
  });

  describe('errors', () => {
    it('should answer unknown routes with the not_found envelope', async () => {
      const response = await t.http.get('/api/nothing-here');
      assert.equal(response.status, 404);
      assert.equal(errorCode(response), 'not_found');
    });

    it('should never leak a stack trace', async () => {
      const response = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":');
      assert.doesNotMatch(JSON.stringify(response.body), /at .*\.js:\d+|node_modules/);
    });
  });

  describe('health', () => {
    it('should report liveness without authentication', async () => {
      const response = await t.http.get('/health/live');
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { ok: true, data: { status: 'ok' } });
    });

    it('should report readiness naming each component', async () => {
      const response = await t.http.get('/health/ready');
      assert.equal(response.status, 200);
      assert.equal(response.body.data.components.database.status, 'up');
      assert.equal(response.body.data.components.database.kind, 'embedded');
      assert.equal(response.body.data.components.redis, undefined);
    });
  });

  describe('security headers and documentation', () => {
    it("should send helmet's headers for a JSON API, and CORS headers", async () => {
      const response = await t.http.get('/health/live').set('Origin', 'https://school.example');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d+/);
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.equal(response.headers['access-control-allow-origin'], 'https://school.example');
    });

    it("should send helmet's page headers with the Swagger UI, allowing its inline script", async () => {
      const response = await t.http.get('/docs');
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-security-policy']), /script-src 'self' 'unsafe-inline'/);
      assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    });

    it('should answer CORS preflight requests for the API', async () => {
      const response = await t.http
        .options('/api/users/me')
        .set('Origin', 'https://school.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      assert.equal(response.status, 204);
      assert.equal(response.headers['access-control-allow-origin'], 'https://school.example');
      assert.match(response.headers['access-control-allow-methods'], /PATCH/);
      assert.equal(response.headers['access-control-allow-headers'], 'authorization');
      const exposed = await t.http.get('/health/live').set('Origin', 'https://school.example');
      assert.match(exposed.headers['access-control-expose-headers'], /X-Request-Id/);
    });

    it('should serve the Swagger UI and the OpenAPI document without authentication', async () => {
      const ui = await t.http.get('/docs');
      assert.equal(ui.status, 200);
      assert.match(ui.text, /swagger/i);
      const json = await t.http.get('/docs-json');
      assert.equal(json.status, 200);
      assert.equal(json.body.openapi.startsWith('3.'), true);
      assert.ok(json.body.paths['/api/auth/login']);
    });
  });
});

describe('CORS with a list of origins', () => {
  it('should allow only the configured origins', async () => {
    const t = await startTestApp({ env: { CORS_ORIGINS: 'https://school.example, https://app.school.example' } });
    try {
      const allowed = await t.http.get('/health/live').set('Origin', 'https://app.school.example');
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.school.example');
      const refused = await t.http.get('/health/live').set('Origin', 'https://evil.example');
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      const preflight = await t.http
        .options('/api/chat')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
      assert.equal(preflight.headers['access-control-allow-methods'], undefined);
    } finally {
      await t.close();
    }
  });
});
