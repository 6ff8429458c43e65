import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { sendError } from '../../../src/common/errors/all-exceptions.filter';
import { AppLogger, createRootLogger } from '../../../src/common/logging/logger';

/** Lines written by the application's logger, parsed. */
function capture(): { lines: () => Record<string, unknown>[]; logger: ReturnType<typeof createRootLogger> } {
  const destination = new PassThrough();
  const text: string[] = [];
  destination.on('data', (chunk: Buffer) => text.push(chunk.toString('utf8')));
  const logger = createRootLogger('info', destination);
  return {
    logger,
    lines: () =>
      text
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const SECRET = 'sup3r-s3cret-value';

/** A parsed log line, read by path in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape, read field by field
type LogLine = Record<string, any>;

describe('log redaction', () => {
  it('should remove secrets at any depth, whatever their spelling', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: SECRET,
        body: { user: { credentials: { new_password: SECRET, currentPassword: SECRET } } },
        request: { headers: { Authorization: `Bearer ${SECRET}`, Cookie: SECRET, 'x-api-key': SECRET, accept: 'application/json' } },
        items: [{ deep: [{ refreshToken: SECRET, access_token: SECRET, clientSecret: SECRET }] }],
        a: { b: { c: { d: { e: { f: { g: { token: SECRET } } } } } } },
        usage: { tokens: 12, prompt_tokens: 3 },
      },
      'a request',
    );
    const text = JSON.stringify(lines());
    assert.doesNotMatch(text, new RegExp(SECRET));
    const [line] = lines() as [LogLine];
    assert.equal(line.password, '[redacted]');
    assert.equal(line.request.headers.Authorization, '[redacted]');
    assert.equal(line.request.headers.accept, 'application/json');
    assert.equal(line.a.b.c.d.e.f.g.token, '[redacted]');
    assert.deepEqual(line.usage, { tokens: 12, prompt_tokens: 3 }, 'token counts are no secrets');
  });

  it('should clean errors and their causes, which carry the requests client libraries made', () => {
    const { logger, lines } = capture();
    const cause = Object.assign(new Error('upstream refused'), { config: { headers: { 'api-key': SECRET } } });
    const error = Object.assign(new Error('model call failed', { cause }), {
      status: 401,
      request: { url: `https://model.example/v1/chat?api-version=1&token=${SECRET}`, headers: { authorization: SECRET } },
    });
    logger.error({ err: error, nested: { again: error } }, 'failed');
    const text = JSON.stringify(lines());
    assert.doesNotMatch(text, new RegExp(SECRET));
    const [line] = lines() as [LogLine];
    assert.equal(line.err.type, 'Error');
    assert.match(line.err.message, /model call failed/);
    assert.match(line.err.stack, /model call failed/);
    assert.equal(line.err.status, 401);
    assert.equal(line.err.request.url, 'https://model.example/v1/chat?[redacted]');
    assert.equal(line.nested.again.request.headers.authorization, '[redacted]');
    assert.equal(error.request.headers.authorization, SECRET, "the caller's object is left as it was");
  });

  it('should survive cycles and keep Nest logger calls intact', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    new AppLogger(logger).warn({ loop, token: SECRET }, 'Context');
    const [line] = lines() as [LogLine];
    assert.equal(line.context, 'Context');
    assert.equal(line.loop.self, '[circular]');
    assert.equal(line.token, '[redacted]');
  });

  it('should log the path of a failed request, not its query string', () => {
    const { logger, lines } = capture();
    const appLogger = new AppLogger(logger);
    const reply = {
      sent: false,
      raw: { headersSent: false },
      code: () => reply,
      headers: () => reply,
      type: () => reply,
      send: () => reply,
    };
    const request = { id: 'req-1', method: 'GET', url: `/api/search?q=x&token=${SECRET}`, raw: { socket: { destroyed: false } } };
    sendError(new TypeError('boom'), request as never, reply as never, appLogger);
    const [line] = lines() as [LogLine];
    assert.equal(line.level, 'error');
    assert.equal(line.path, '/api/search');
    assert.doesNotMatch(JSON.stringify(line), new RegExp(SECRET));
  });
});
