import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { AuditService } from '../../src/audit/audit.service';
import { makePdf, PNG_BYTES } from '../support/documents';
import { Account, bearer, errorCode, loginAdmin, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

const LOOPS_MD = `# Loops

## The while loop

A while loop repeats its body as long as its condition stays true. Forgetting to change the
condition gives an infinite loop, which never ends.

## The for loop

A for loop walks through the items of a sequence one by one. The zebrafish counter example counts
stripes with a for loop over range(12).
`;

describe('course content', () => {
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let student: Account;
  beforeAll(async () => {
    t = await startTestApp({ env: { UPLOAD_LIMIT_BYTES: String(200 * 1024) } });
    admin = await loginAdmin(t.http);
    const email = uniqueEmail('teacher');
    await t.http.post('/api/admin/users').set(bearer(admin)).send({ email, password: 'teacher-password', role: 'instructor' });
    teacher = { ...(await t.http.post('/api/auth/login').send({ email, password: 'teacher-password' })).body.data, email } as Account;
    teacher.accessToken = (teacher as unknown as { access_token: string }).access_token;
    student = await register(t.http);
  });
  afterAll(() => t.close());

  async function newModule(title = 'Programming basics'): Promise<string> {
    const response = await t.http.post('/api/admin/modules').set(bearer(teacher)).send({ title, description: 'Loops and more' });
    assert.equal(response.status, 201);
    return response.body.data.id as string;
  }

  async function upload(moduleId: string, bytes: Buffer, filename: string, contentType?: string) {
    return t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(teacher))
      .attach('file', bytes, { filename, ...(contentType ? { contentType } : {}) });
  }

  async function search(q: string, query: Record<string, string | number> = {}) {
    return t.http
      .get('/api/search')
      .query({ q, ...query })
      .set(bearer(student));
  }

  describe('modules', () => {
    it('should let instructors create, rename and describe modules, and everyone read them', async () => {
      const id = await newModule('Algebra');
      const renamed = await t.http.patch(`/api/admin/modules/${id}`).set(bearer(teacher)).send({ title: 'Algebra I' });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.data.title, 'Algebra I');
      assert.equal(renamed.body.data.description, 'Loops and more');
      const seen = await t.http.get(`/api/modules/${id}`).set(bearer(student));
      assert.deepEqual(Object.keys(seen.body.data).sort(), [
        'course_id',
        'created_at',
        'description',
        'id',
        'owner_id',
        'resource_count',
        'title',
        'updated_at',
      ]);
      assert.equal(seen.body.data.course_id, null, 'a module created without a course is open');
      assert.equal(seen.body.data.owner_id, (teacher as unknown as { user: { id: string } }).user.id, 'its creator owns it');
      assert.equal(seen.body.data.resource_count, 0);
      const list = await t.http.get('/api/modules').set(bearer(student));
      assert.ok(list.body.data.items.some((m: { id: string }) => m.id === id));
    });

    it('should forbid students from changing content', async () => {
      const response = await t.http.post('/api/admin/modules').set(bearer(student)).send({ title: 'Mine' });
      assert.equal(response.status, 403);
      assert.equal(errorCode(response), 'forbidden');
    });

    it('should refuse bad module input and unknown ids', async () => {
      assert.equal((await t.http.post('/api/admin/modules').set(bearer(teacher)).send({ title: '' })).status, 400);
      assert.equal((await t.http.post('/api/admin/modules').set(bearer(teacher)).send({ title: 'x', owner: 'me' })).status, 400);
      assert.equal((await t.http.get('/api/modules/nope').set(bearer(student))).status, 400);
      assert.equal((await t.http.get(`/api/modules/${'c'.repeat(24)}`).set(bearer(student))).status, 404);
      assert.equal((await t.http.get(`/api/modules/${'c'.repeat(24)}/resources`).set(bearer(student))).status, 404);
      assert.equal(
        (
          await t.http
            .patch(`/api/admin/modules/${'c'.repeat(24)}`)
            .set(bearer(teacher))
            .send({ title: 'x' })
        ).status,
        404,
      );
    });

    it('should check a module change by the rules of its creation, and refuse moving it to a course', async () => {
      const id = await newModule('Geometry');
      const change = (body: object) => t.http.patch(`/api/admin/modules/${id}`).set(bearer(teacher)).send(body);
      for (const body of [{ title: '' }, { title: '   ' }, { title: 'x'.repeat(201) }, { description: 'x'.repeat(5001) }, { title: 7 }]) {
        const refused = await change(body);
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(errorCode(refused), 'validation_failed');
      }
      const moved = await change({ course_id: 'a'.repeat(24) });
      assert.equal(moved.status, 400);
      assert.match(JSON.stringify(moved.body.error.details), /course_id/);
      const trimmed = await change({ title: '  Geometry II  ' });
      assert.equal(trimmed.status, 200);
      assert.equal(trimmed.body.data.title, 'Geometry II');
      assert.equal(trimmed.body.data.course_id, null);
    });
  });

  describe('uploads', () => {
    it('should index a Markdown upload and find its passages with their heading', async () => {
      const moduleId = await newModule();
      const response = await upload(moduleId, Buffer.from(LOOPS_MD), 'loops.md');
      assert.equal(response.status, 201);
      const resource = response.body.data;
      assert.equal(resource.status, 'indexed');
      assert.equal(resource.title, 'Loops');
      assert.equal(resource.filename, 'loops.md');
      assert.equal(resource.mime_type, 'text/markdown');
      assert.ok(resource.chunk_count >= 1);
      const found = await search('zebrafish stripes', { module_id: moduleId });
      assert.equal(found.status, 200);
      const [best] = found.body.data.results;
      assert.equal(best.resource_id, resource.id);
      assert.equal(best.module_id, moduleId);
      assert.equal(best.title, 'Loops');
      assert.match(best.text, /zebrafish/);
      assert.match(best.location.heading, /The for loop/);
      const listed = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(student));
      assert.equal(listed.body.data.items[0].id, resource.id);
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(student))).body.data.resource_count, 1);
    });

    it('should index a PDF and give the page of each passage', async () => {
      const moduleId = await newModule('Astronomy');
      const pdf = await makePdf([
        'Page one talks about the Moon and its craters.',
        'Page two explains that Jupiter has a great red spot, a storm larger than Earth.',
      ]);
      const response = await upload(moduleId, pdf, 'planets.pdf', 'application/pdf');
      assert.equal(response.status, 201);
      assert.equal(response.body.data.mime_type, 'application/pdf');
      const found = await search('Jupiter red spot storm', { module_id: moduleId, k: 1 });
      assert.equal(found.body.data.results.length, 1);
      assert.equal(found.body.data.results[0].location.page, 2);
    });

    it('should accept a resource given as JSON text', async () => {
      const moduleId = await newModule();
      const response = await t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(teacher)).send({
        title: 'Photosynthesis',
        content: '<h1>Leaves</h1><p>Chlorophyll captures sunlight.</p><script>alert(1)</script>',
        format: 'html',
      });
      assert.equal(response.status, 201);
      assert.equal(response.body.data.mime_type, 'text/html');
      const found = await search('chlorophyll sunlight', { module_id: moduleId });
      assert.match(found.body.data.results[0].text, /Chlorophyll/);
      assert.doesNotMatch(found.body.data.results[0].text, /alert/);
    });

    it("should index a lesson that quotes a language model's special tokens as plain words", async () => {
      const moduleId = await newModule();
      const response = await t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(teacher)).send({
        title: 'How chat models read text',
        content: '# Markers\n\nA training document ends with the marker <|endoftext|> and a chat turn opens with <|im_start|>.',
        format: 'markdown',
      });
      assert.equal(response.status, 201);
      assert.equal(response.body.data.status, 'indexed');
      const found = await search('training document marker', { module_id: moduleId });
      assert.match(found.body.data.results[0].text, /<\|endoftext\|>/);
    });

    it('should refuse a text file named .pdf, and images, with 415', async () => {
      const moduleId = await newModule();
      const fake = await upload(moduleId, Buffer.from('just some text, not a PDF'), 'report.pdf', 'application/pdf');
      assert.equal(fake.status, 415);
      assert.equal(errorCode(fake), 'unsupported_media_type');
      const image = await upload(moduleId, PNG_BYTES, 'diagram.png', 'image/png');
      assert.equal(image.status, 415);
      assert.equal((await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(teacher))).body.data.items.length, 0);
    });

    it('should refuse a corrupt PDF with 422 and store nothing', async () => {
      const moduleId = await newModule();
      const pdf = await makePdf(['Some text that will be cut off.']);
      const response = await upload(moduleId, pdf.subarray(0, 200), 'broken.pdf', 'application/pdf');
      assert.equal(response.status, 422);
      assert.equal(errorCode(response), 'unprocessable_document');
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(teacher))).body.data.resource_count, 0);
    });

    it('should refuse an upload over the size limit with 413', async () => {
      const moduleId = await newModule();
      const response = await upload(moduleId, Buffer.from('word '.repeat(60_000)), 'huge.txt', 'text/plain');
      assert.equal(response.status, 413);
      assert.equal(errorCode(response), 'payload_too_large');
    });

    it('should refuse a form it would have to drop parts of, naming the field, and store nothing', async () => {
      const moduleId = await newModule();
      const lesson = Buffer.from(LOOPS_MD);
      const form = () => t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(teacher));
      const cases: [string, () => Promise<request.Response>, string][] = [
        ['two files', () => form().attach('file', lesson, 'loops.md').attach('file', lesson, 'again.md'), 'file'],
        ['a file under another name', () => form().attach('document', lesson, 'loops.md').attach('file', lesson, 'loops.md'), 'document'],
        ['an unknown field', () => form().field('visibility', 'public').attach('file', lesson, 'loops.md'), 'visibility'],
        ['a title over 300 characters', () => form().field('title', 'Loops '.repeat(60)).attach('file', lesson, 'loops.md'), 'title'],
        ['a title over the field size', () => form().field('title', 'é'.repeat(3000)).attach('file', lesson, 'loops.md'), 'title'],
        [
          'more fields than a form has',
          () => {
            const many = form();
            for (let i = 0; i < 20; i++) many.field('title', 'Loops');
            return many.attach('file', lesson, 'loops.md');
          },
          'body',
        ],
      ];
      for (const [name, send, field] of cases) {
        const response = await send();
        assert.equal(response.status, 400, `${name}: ${response.status} ${response.text}`);
        assert.equal(errorCode(response), 'validation_failed', name);
        assert.equal(response.body.error.details[0].field, field, name);
      }
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(teacher))).body.data.resource_count, 0);
      const titled = await form().field('title', '  Loops, in short  ').attach('file', lesson, 'loops.md');
      assert.equal(titled.status, 201, titled.text);
      assert.equal(titled.body.data.title, 'Loops, in short');
    });

    it('should answer 400 to a form cut off inside a part, store nothing and keep serving', async () => {
      // A body ending inside the file, before the closing boundary, ended the whole server process:
      // busboy fails the part's stream with an 'error' event that nothing listened to.
      const moduleId = await newModule();
      const head = (field: string) => `--cut\r\nContent-Disposition: form-data; name="${field}"; filename="loops.md"\r\n\r\n`;
      for (const body of [
        `${head('file')}# Loops\n\nA while loop`,
        `${head('document')}# Loops`,
        '--cut\r\nContent-Disposition: form-data; name="title"\r\n\r\nLoo',
      ]) {
        const response = await t.http
          .post(`/api/admin/modules/${moduleId}/resources`)
          .set(bearer(teacher))
          .set('Content-Type', 'multipart/form-data; boundary=cut')
          .send(Buffer.from(body));
        assert.equal(response.status, 400, `${body}: ${response.status} ${response.text}`);
        assert.equal(errorCode(response), 'validation_failed');
        assert.equal(response.body.error.details[0].field, 'file');
      }
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(teacher))).body.data.resource_count, 0);
      const whole = await upload(moduleId, Buffer.from(LOOPS_MD), 'loops.md');
      assert.equal(whole.status, 201, whole.text);
    });

    it('should store a file name without the control and bidi characters that would make it show something else', async () => {
      const moduleId = await newModule();
      const plain = Buffer.from('Rivers carry water from the hills to the sea.');
      for (const [sent, shown] of [
        ['report\u202Etxt.exe.md', 'reporttxt.exe.md'],
        ['bell\u0007\u001b[31mred.txt', 'bell[31mred.txt'],
        ['tab\tname\u2066.txt', 'tabname.txt'],
      ]) {
        const response = await upload(moduleId, plain, sent);
        assert.equal(response.status, 201, response.text);
        assert.equal(response.body.data.filename, shown);
        assert.equal(response.body.data.title, shown);
      }
      const nothingLeft = await upload(moduleId, plain, '\u202E\u0007');
      assert.equal(nothingLeft.status, 201, nothingLeft.text);
      assert.equal(nothingLeft.body.data.filename, null);
      assert.equal(nothingLeft.body.data.title, 'Untitled document');
    });

    it('should refuse an upload to an unknown module and a JSON resource without a format', async () => {
      assert.equal((await upload('d'.repeat(24), Buffer.from(LOOPS_MD), 'loops.md')).status, 404);
      const moduleId = await newModule();
      const response = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(teacher))
        .send({ title: 'x', content: 'y' });
      assert.equal(response.status, 400);
    });
  });

  describe('deletion', () => {
    it("should make a deleted resource's text unfindable", async () => {
      const moduleId = await newModule();
      const resource = (await upload(moduleId, Buffer.from('# Okapi\n\nThe okapi is a giraffid with striped legs.'), 'okapi.md')).body.data;
      assert.equal((await search('okapi giraffid')).body.data.results[0]?.resource_id, resource.id);
      assert.equal((await t.http.delete(`/api/admin/resources/${resource.id}`).set(bearer(teacher))).status, 204);
      const after = await search('okapi giraffid');
      assert.ok(after.body.data.results.every((p: { resource_id: string }) => p.resource_id !== resource.id));
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(teacher))).body.data.resource_count, 0);
      assert.equal((await t.http.delete(`/api/admin/resources/${resource.id}`).set(bearer(teacher))).status, 404);
    });

    it('should delete a module with its resources, which leave the index', async () => {
      const moduleId = await newModule();
      await upload(moduleId, Buffer.from('# Axolotl\n\nThe axolotl regrows its limbs.'), 'axolotl.md');
      assert.equal((await t.http.delete(`/api/admin/modules/${moduleId}`).set(bearer(teacher))).status, 204);
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(student))).status, 404);
      const found = await search('axolotl regrows limbs');
      assert.ok(found.body.data.results.every((p: { module_id: string }) => p.module_id !== moduleId));
      assert.equal((await search('axolotl', { module_id: moduleId })).status, 404);
    });

    it('should leave an audit entry for each content change', async () => {
      const moduleId = await newModule('Audited');
      const entries = await t.app.get(AuditService).list({ actorId: teacher.id, limit: 100 });
      assert.ok(entries.some((e) => e.action === 'module.create' && e.targetId === moduleId));
      assert.ok(entries.every((e) => typeof e.requestId === 'string'));
    });
  });

  describe('search', () => {
    it('should refuse bad queries', async () => {
      for (const query of [{ q: '' }, { q: 'x', k: 0 }, { q: 'x', k: 21 }, { q: 'x', module_id: 'abc' }, { q: 'x', extra: 1 }]) {
        const response = await t.http.get('/api/search').query(query).set(bearer(student));
        assert.equal(response.status, 400, JSON.stringify(query));
      }
      assert.equal(
        (
          await t.http
            .get('/api/search')
            .query({ q: 'x', module_id: 'e'.repeat(24) })
            .set(bearer(student))
        ).status,
        404,
      );
      assert.equal((await t.http.get('/api/search').query({ q: 'x' })).status, 401);
    });
  });
});
