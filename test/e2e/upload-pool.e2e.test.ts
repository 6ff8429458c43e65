import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { DocumentParser } from '../../src/content/parsing/document-parser';
import { makePdf } from '../support/documents';
import { Account, bearer, errorCode, loginAdmin, startTestApp, TestApp } from '../support/test-app';

/**
 * Uploads share a pool of two parse workers whose heap is capped low enough that a 19 MB text
 * outgrows it (the default cap, 512 MB, would take far more to exhaust): the runaway document
 * must fail alone, and the pool must keep serving after losing a worker.
 */
const WORKER_HEAP_MB = 80;
const RUNAWAY_BYTES = 19 * 1024 * 1024;

describe('uploads through the parse worker pool', () => {
  let t: TestApp;
  let admin: Account;
  let moduleId: string;
  const parser = new DocumentParser({ parsing: { workers: 2, maxHeapMb: WORKER_HEAP_MB } });

  beforeAll(async () => {
    t = await startTestApp({
      env: { UPLOAD_LIMIT_BYTES: String(20 * 1024 * 1024) },
      override: (builder) => builder.overrideProvider(DocumentParser).useValue(parser),
    });
    admin = await loginAdmin(t.http);
    const created = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Astronomy', description: 'Planets' });
    moduleId = created.body.data.id as string;
  });
  afterAll(async () => {
    await t.close();
    await parser.onApplicationShutdown();
  });

  const upload = (bytes: Buffer, filename: string, contentType: string) =>
    t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(admin)).attach('file', bytes, { filename, contentType });

  /** The module's resources' statuses, once none is `pending` any more. */
  async function statuses(): Promise<string[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const listed = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
      const items = listed.body.data.items as { status: string }[];
      if (!items.some((item) => item.status === 'pending') || Date.now() > deadline) return items.map((item) => item.status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('should refuse a document that outgrows its worker with 422 while the uploads beside it succeed', async () => {
    const line = 'The quick brown fox jumps over the lazy dog while the planets turn. ';
    const runaway = Buffer.from(`${line.repeat(12)}\n\n`.repeat(Math.ceil(RUNAWAY_BYTES / (line.length * 12 + 2)))).subarray(
      0,
      RUNAWAY_BYTES,
    );
    const planets = ['Mercury', 'Venus', 'Mars', 'Jupiter', 'Saturn'];
    const pdfs = await Promise.all(planets.map((planet) => makePdf([`${planet} is a planet of the solar system.`, `More on ${planet}.`])));

    const [refused, ...accepted] = await Promise.all([
      upload(runaway, 'runaway.txt', 'text/plain'),
      ...pdfs.map((pdf, i) => upload(pdf, `${planets[i]}.pdf`, 'application/pdf')),
    ]);

    assert.equal(refused.status, 422);
    assert.equal(errorCode(refused), 'unprocessable_document');
    assert.match(refused.body.error.message, /too much memory/);
    for (const response of accepted) assert.equal(response.status, 201, JSON.stringify(response.body));
    // Each is answered `indexed`, or `pending` when indexing outlasts the answer's short wait.
    assert.deepEqual(
      await statuses(),
      planets.map(() => 'indexed'),
      'only the accepted documents are stored, all indexed',
    );
  });

  it('should keep serving uploads with the worker that replaced the lost one', async () => {
    // More uploads than workers, all through the pool: each worker, the replacement included, takes some.
    const responses = await Promise.all(
      Array.from({ length: 4 }, async (_, i) =>
        upload(await makePdf([`Moon number ${i} orbits a planet.`]), `moon-${i}.pdf`, 'application/pdf'),
      ),
    );
    for (const response of responses) assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(parser.workers, 2);
    const found = await t.http.get('/api/search').query({ q: 'Jupiter planet', module_id: moduleId, k: 1 }).set(bearer(admin));
    assert.match(found.body.data.results[0].text, /Jupiter/);
  });

  it('should still answer 422 at once for an unreadable file', async () => {
    const pdf = await makePdf(['Some text that will be cut off.']);
    const response = await upload(pdf.subarray(0, 200), 'broken.pdf', 'application/pdf');
    assert.equal(response.status, 422);
    assert.equal(errorCode(response), 'unprocessable_document');
  });
});
