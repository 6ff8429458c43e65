import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { deflateSync } from 'node:zlib';
import {
  makeCompressedPdf,
  makeEncryptedCompressedPdf,
  makeFilteredPdf,
  makeFormInvokingPdf,
  makeSharedRawContentPdf,
  runLengthPage,
} from '../support/documents';
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

  /** The status of the module's one resource once it is no longer `pending` (a large upload is indexed in the background). */
  async function statusOnceIndexed(moduleId: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const listed = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
      const [resource] = listed.body.data.items as { status: string }[];
      if (resource.status !== 'pending' || Date.now() > deadline) return resource.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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

  describe('Markdown made of syntax openings', () => {
    it('should read a document of long lines of link, image, autolink and comment openings', async () => {
      // Such lines took the parse worker's full 20 s before (its 422 said "took too long"): a pattern
      // or a comment check went on from every opening to the end of the line.
      const moduleId = await newModule();
      const markdown = [
        '# Cells',
        'Cells divide by mitosis.',
        '['.repeat(1_000_000),
        '![a]('.repeat(200_000),
        '<http:'.repeat(150_000),
        'A comment opens here and never closes: <!--' + '<!--'.repeat(250_000),
      ].join('\n\n');
      const response = await upload(moduleId, Buffer.from(markdown), 'openings.md', 'text/markdown');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(await statusOnceIndexed(moduleId), 'indexed');
      const found = await t.http.get('/api/search').query({ q: 'cells mitosis', module_id: moduleId, k: 1 }).set(bearer(admin));
      assert.match(found.body.data.results[0].text, /^Cells divide by mitosis\./);
    });
  });

  describe('Markdown of backtick runs', () => {
    it('should read a line of backtick runs of growing length, keeping the code spans it does close', async () => {
      // A pattern tried from every backtick took 10 s for 1 MB of such runs, and this 2 MB file
      // held a parse worker for its full 20 s (422 "took too long").
      const moduleId = await newModule();
      const runs = Array.from({ length: 2000 }, (_, i) => `${'`'.repeat(i + 1)}x`).join(' ');
      const markdown = `# Cells\n\nRun \`mitosis --split\` to divide cells. ${runs}`;
      const response = await upload(moduleId, Buffer.from(markdown), 'ticks.md', 'text/markdown');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(await statusOnceIndexed(moduleId), 'indexed');
      const found = await t.http.get('/api/search').query({ q: 'mitosis divide cells', module_id: moduleId, k: 1 }).set(bearer(admin));
      assert.match(found.body.data.results[0].text, /^Run mitosis --split to divide cells\. `x ``x/);
    });
  });

  describe('text with endless combining marks', () => {
    it('should read a letter under 500,000 combining marks, keeping 30 of them', async () => {
      // Unicode composition sorts a run of marks by insertion: this 1 MB file held a parse worker
      // for its full 20 s before (422 "took too long").
      const moduleId = await newModule();
      const marks = '\u0301\u0316'.repeat(250_000);
      const text = `Mitosis makes two cells.\n\nZalgo a${marks} ends here.`;
      const response = await upload(moduleId, Buffer.from(text), 'zalgo.txt', 'text/plain');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(await statusOnceIndexed(moduleId), 'indexed');
      const found = await t.http.get('/api/search').query({ q: 'zalgo ends', module_id: moduleId, k: 1 }).set(bearer(admin));
      const kept = `Zalgo a${marks.slice(0, 30)} ends here.`.normalize('NFC');
      assert.equal(found.body.data.results[0].text, `Mitosis makes two cells.\n\n${kept}`);
    });
  });

  describe('PDF compression bombs', () => {
    it('should refuse a few-kilobyte PDF whose page inflates to 1 GB, naming the limit, and store nothing', async () => {
      // Held a parse worker for the full 20 s (and the process at 2.3 GB) before.
      const moduleId = await newModule();
      const pdf = await makeCompressedPdf({ inflatedBytes: 1024 * MB });
      assert.ok(pdf.length < 8 * 1024, `${pdf.length} bytes`);
      assertRefused(await upload(moduleId, pdf, 'bomb.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      await assertNothingStored(moduleId);
    });

    it('should count every page, whether each has its own stream or all share one', async () => {
      const moduleId = await newModule();
      const ownStreams = await makeCompressedPdf({ inflatedBytes: 48 * MB, pages: 20 });
      assertRefused(await upload(moduleId, ownStreams, 'pages.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      const oneStream = await makeCompressedPdf({ inflatedBytes: 48 * MB, pages: 20, shared: true });
      assertRefused(await upload(moduleId, oneStream, 'shared.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      await assertNothingStored(moduleId);
    });

    it('should count an uncompressed content stream too, once per page that shares it', async () => {
      // Not counted before: 9,000 pages sharing 2 MB of plain content held a parse worker for its full 20 s.
      const moduleId = await newModule();
      const pdf = makeSharedRawContentPdf({ contentBytes: 2 * MB, pages: 9_000 });
      assertRefused(await upload(moduleId, pdf, 'plain.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      await assertNothingStored(moduleId);
    });

    it('should read a compressed PDF whose content inflates to less than the limit', async () => {
      const moduleId = await newModule();
      const pdf = await makeCompressedPdf({ inflatedBytes: 32 * MB, pages: 2, shared: true });
      const response = await upload(moduleId, pdf, 'spacious.pdf', 'application/pdf');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.data.chunk_count, 2);
    });
  });

  describe('PDF bombs under encryption', () => {
    // Encrypted, the streams looked like no Flate stream to the pre-scan: a 1 GB page bomb under RC4
    // held a parse worker for 18 s and was then stored (201).
    for (const cipher of ['rc4', 'aes-128', 'aes-256'] as const) {
      it(`should refuse a PDF encrypted with ${cipher} that opens without a password and whose page inflates to 256 MB`, async () => {
        const moduleId = await newModule();
        const pdf = await makeEncryptedCompressedPdf(256 * MB, cipher);
        assertRefused(await upload(moduleId, pdf, 'locked-bomb.pdf', 'application/pdf'), /decodes to more than 128 MB/);
        await assertNothingStored(moduleId);
      });

      it(`should read such a ${cipher} PDF whose page inflates to less than the limit`, async () => {
        const moduleId = await newModule();
        const response = await upload(moduleId, await makeEncryptedCompressedPdf(1024, cipher), 'locked.pdf', 'application/pdf');
        assert.equal(response.status, 201, JSON.stringify(response.body));
        const found = await t.http.get('/api/search').query({ q: 'photosynthesis', module_id: moduleId, k: 1 }).set(bearer(admin));
        assert.match(found.body.data.results[0].text, /Photosynthesis turns light into sugar/);
      });
    }
  });

  describe('PDF forms invoked many times', () => {
    it('should refuse a page that invokes a 2 MB form 20,000 times, counting the form once per invocation, and store nothing', async () => {
      // pdf.js reads the form again at each invocation: this 7.5 KB file held a parse worker for its
      // full 20 s ("took too long") before.
      const moduleId = await newModule();
      const pdf = makeFormInvokingPdf({ formBytes: 2 * MB, invocations: 20_000 });
      assert.ok(pdf.length < 16 * 1024, `${pdf.length} bytes`);
      assertRefused(await upload(moduleId, pdf, 'forms.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      await assertNothingStored(moduleId);
    });

    it('should read a page that invokes a small form a few times', async () => {
      const moduleId = await newModule();
      const response = await upload(moduleId, makeFormInvokingPdf({ formBytes: 100, invocations: 3 }), 'form.pdf', 'application/pdf');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const found = await t.http.get('/api/search').query({ q: 'photosynthesis', module_id: moduleId, k: 1 }).set(bearer(admin));
      assert.match(found.body.data.results[0].text, /Photosynthesis turns light into sugar/);
    });
  });

  describe('PDF bombs under other filters', () => {
    it('should refuse a page whose RunLength, Flate+RunLength or Flate+ASCII85 content decodes past the limit, and store nothing', async () => {
      // Only FlateDecode was counted before: a 16 MB RunLength page (1 GB) and a 100 KB Flate+RunLength
      // one (6 GB) held a parse worker for the full 20 s ("took too long", 1.4 GB resident), and 100 KB
      // of Flate+ASCII85 (400 MB of zeros) for 14 s.
      const moduleId = await newModule();
      const runLength = makeFilteredPdf('/RunLengthDecode', runLengthPage(160 * MB));
      assertRefused(await upload(moduleId, runLength, 'rl.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      const chained = makeFilteredPdf('[/FlateDecode /RunLengthDecode]', deflateSync(runLengthPage(256 * MB)));
      assert.ok(chained.length < 16 * 1024, `${chained.length} bytes`);
      assertRefused(await upload(moduleId, chained, 'chained.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      const zeros = makeFilteredPdf('[/FlateDecode /ASCII85Decode]', deflateSync(Buffer.from(`${'z'.repeat(40 * MB)}~>`)));
      assertRefused(await upload(moduleId, zeros, 'a85.pdf', 'application/pdf'), /decodes to more than 128 MB/);
      await assertNothingStored(moduleId);
    });

    it('should read a Flate+RunLength page that decodes to less than the limit', async () => {
      const moduleId = await newModule();
      const pdf = makeFilteredPdf('[/FlateDecode /RunLengthDecode]', deflateSync(runLengthPage(1024)));
      const response = await upload(moduleId, pdf, 'small.pdf', 'application/pdf');
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.data.chunk_count, 1);
    });
  });

  describe('documents cut into too many chunks', () => {
    it('should refuse Markdown of more than 100,000 sections, naming the limit, and store nothing', async () => {
      // 19 MB of such sections made 687,000 chunks, every one stored, embedded and indexed.
      const moduleId = await newModule();
      const markdown = Buffer.from('# Cell\nA cell.\n'.repeat(100_001));
      assertRefused(await upload(moduleId, markdown, 'sections.md', 'text/markdown'), /more than 100,000 chunks/);
      await assertNothingStored(moduleId);
    });

    it('should refuse HTML of more than 100,000 sections the same way', async () => {
      const moduleId = await newModule();
      const html = Buffer.from('<h2>Cell</h2><p>A cell.</p>'.repeat(100_001));
      assertRefused(await upload(moduleId, html, 'sections.html', 'text/html'), /more than 100,000 chunks/);
      await assertNothingStored(moduleId);
    });
  });
});
