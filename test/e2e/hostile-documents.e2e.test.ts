import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { Account, bearer, errorCode, loginAdmin, startTestApp, TestApp } from '../support/test-app';

const MB = 1024 * 1024;

/**
 * Documents made to cost the server far more to read than their size: each is refused with 422
 * naming the limit it passes, before a parse worker spends its whole time limit on it, and leaves
 * nothing stored. Documents just inside each limit are still read.
 */
describe('uploads of documents made to be expensive to read', () => {
  let t: TestApp;
  let admin: Account;

  beforeAll(async () => {
    t = await startTestApp({ env: { UPLOAD_LIMIT_BYTES: String(20 * MB) } });
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  async function newModule(): Promise<string> {
    const created = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Biology', description: 'Cells and plants' });
    assert.equal(created.status, 201);
    return created.body.data.id as string;
  }

  const upload = (moduleId: string, bytes: Buffer, filename: string, contentType: string) =>
    t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(admin)).attach('file', bytes, { filename, contentType });

  function assertRefused(response: request.Response, message: RegExp): void {
    assert.equal(response.status, 422, JSON.stringify(response.body));
    assert.equal(errorCode(response), 'unprocessable_document');
    assert.match(response.body.error.message, message);
  }

  /** The module as its readers see it: no resource, and none counted. */
  async function assertNothingStored(moduleId: string): Promise<void> {
    const listed = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
    assert.deepEqual(listed.body.data.items, []);
    const module = await t.http.get(`/api/modules/${moduleId}`).set(bearer(admin));
    assert.equal(module.body.data.resource_count, 0);
  }

  describe('deeply nested HTML', () => {
    it('should refuse 100,000 nested elements, naming the depth limit, and store nothing', async () => {
      // Read in about 5 s and indexed before; htmlparser2's cost grows with the square of the depth.
      const moduleId = await newModule();
      const html = `<html><body>${'<div>'.repeat(100_000)}Deep text${'</div>'.repeat(100_000)}</body></html>`;
      assertRefused(await upload(moduleId, Buffer.from(html), 'deep.html', 'text/html'), /more than 512 deep/);
      await assertNothingStored(moduleId);
    });

    it('should count unclosed tags as nesting, in a file and in JSON content', async () => {
      const moduleId = await newModule();
      const unclosed = `<p>Start. ${'<b>bold '.repeat(50_000)}`;
      assertRefused(await upload(moduleId, Buffer.from(unclosed), 'unclosed.html', 'text/html'), /more than 512 deep/);
      const json = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .send({ title: 'Tables', format: 'html', content: '<table><tr><td>cell '.repeat(20_000) });
      assertRefused(json, /more than 512 deep/);
      await assertNothingStored(moduleId);
    });

    it('should read HTML nested 500 deep as before', async () => {
      const moduleId = await newModule();
      const html = `<h1>Chloroplasts</h1>${'<div>'.repeat(500)}Chloroplasts turn light into sugar.${'</div>'.repeat(500)}`;
      const response = await upload(moduleId, Buffer.from(html), 'nested.html', 'text/html');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const found = await t.http.get('/api/search').query({ q: 'chloroplasts sugar', module_id: moduleId, k: 1 }).set(bearer(admin));
      assert.equal(found.body.data.results[0].text, 'Chloroplasts turn light into sugar.');
      assert.equal(found.body.data.results[0].location.heading, 'Chloroplasts');
    });
  });
});
