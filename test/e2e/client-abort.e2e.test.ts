import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { openConnection, portOf } from '../support/raw-http';
import { Account, bearer, loginAdmin, startTestApp, TestApp } from '../support/test-app';

/**
 * A client that goes away in the middle of its request: nothing failed on the server's side, so it
 * is logged as a client abort (information, no stack), never as an unexpected error, and the
 * request does not wait forever for the rest of its body.
 */
describe('requests whose client leaves before they are complete', () => {
  let t: TestApp;
  let port: number;
  let admin: Account;
  let moduleId: string;

  beforeAll(async () => {
    t = await startTestApp();
    port = await portOf(t.app);
    admin = await loginAdmin(t.http);
    moduleId = (await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Uploads cut short' })).body.data.id as string;
  });
  afterAll(() => t.close());

  /** Sends the head and part of the body, then cuts the connection. */
  async function cutShort(requestId: string, head: string, partialBody: string): Promise<void> {
    const socket = await openConnection(port);
    socket.write(`${head}Host: api.test\r\nX-Request-Id: ${requestId}\r\nAuthorization: Bearer ${admin.accessToken}\r\n\r\n${partialBody}`);
    // Long enough for the route to start reading the body.
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
  }

  async function assertLoggedAsClientAbort(requestId: string, path: string): Promise<void> {
    const line = await t.logLine((l) => l.request_id === requestId && l.context === 'Errors');
    assert.equal(line.level, 'info');
    assert.equal(line.msg, 'The client closed the connection before the answer');
    assert.equal(line.path, path);
    assert.equal(line.stack, undefined);
    assert.equal(line.err, undefined);
    const errors = t.logs().filter((l) => l.request_id === requestId && (l.level === 'error' || l.level === 'fatal'));
    assert.deepEqual(errors, []);
  }

  it('should log an upload cut mid-file as a client abort, not wait for the rest of it', async () => {
    const path = `/api/admin/modules/${moduleId}/resources`;
    await cutShort(
      'cut-upload',
      `POST ${path} HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n`,
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\nThe first words of',
    );
    await assertLoggedAsClientAbort('cut-upload', path);
  });

  it('should log a JSON body cut short as a client abort', async () => {
    await cutShort(
      'cut-json',
      'POST /api/admin/modules HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n',
      '{"title": "A module whose',
    );
    await assertLoggedAsClientAbort('cut-json', '/api/admin/modules');
  });

  it('should keep serving, and keep nothing of what was cut', async () => {
    const listed = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.data.items, []);
  });
});
