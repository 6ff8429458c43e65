import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type request from 'supertest';
import {
  Account,
  bearer,
  createCourseModule,
  errorCode,
  loginAdmin,
  register,
  startTestApp,
  TEST_ADMIN,
  TestApp,
} from '../support/test-app';

/** API.md, "Input and limits": nesting, refused keys and media types, through HTTP. */

const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('input rules', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let moduleId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
    student = await register(t.http);
    moduleId = await createCourseModule(t, admin, 'Input rules');
  });

  afterAll(async () => {
    await t.close();
  });

  const postJson = (path: string, account: Account | null, text: string) => {
    const req = t.http.post(path).set('Content-Type', 'application/json');
    return (account ? req.set(bearer(account)) : req).send(text);
  };

  describe('nesting', () => {
    it('should answer 400 validation_failed to bodies nested past 32 levels, however deep, on every kind of route', async () => {
      for (const depth of [33, 5_000, 100_000]) {
        for (const [path, account] of [
          ['/api/chat', student],
          ['/api/evaluation/grade', student],
          ['/api/auth/login', null],
          [`/api/admin/modules/${moduleId}/resources`, admin],
        ] as const) {
          for (const body of [`{"message":"hi","x":${deepArrays(depth)}}`, deepObjects(depth)]) {
            const response = await postJson(path, account, body);
            assert.equal(response.status, 400, `${path} ${depth}: ${response.status} ${JSON.stringify(response.body)}`);
            assert.equal(errorCode(response), 'validation_failed');
            assert.deepEqual(response.body.error.details, [{ field: 'body', message: 'the body is nested deeper than 32 levels' }]);
          }
        }
      }
    });

    it('should still read a body nested 32 deep, and judge its fields', async () => {
      const response = await postJson('/api/chat', student, `{"message":"hi","x":${deepArrays(31)}}`);
      assert.equal(response.status, 400);
      assert.deepEqual(response.body.error.details, [{ field: 'x', message: 'property x should not exist' }]);
    });
  });

  describe('size', () => {
    // A 750 KB rubric of 250,000 empty objects held the event loop for 23 s and answered 143 MB
    // of details; 60,000 unknown keys, 3 s and 4 MB.
    it('should refuse at once a body with more than 1,000 items in one array or object, or 10,000 in all, with a short answer', async () => {
      const many = (n: number, item: string) => Array.from({ length: n }, () => item).join(',');
      const keys = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',');
      for (const [body, field] of [
        [`{"question":"q","student_answer":"a","rubric":[${many(250_000, '{}')}]}`, 'rubric'],
        [`{"question":"q","student_answer":"a","rubric":[${many(1_001, '1')}]}`, 'rubric'],
        [`{"question":"q","student_answer":"a",${keys(60_000)}}`, 'body'],
        [`{"question":"q","student_answer":"a","rubric":[{${keys(5_000)}}]}`, 'rubric.0'],
        [`{"question":"q","student_answer":"a","x":[${many(20, `[${many(900, '0')}]`)}]}`, 'body'],
      ]) {
        const started = Date.now();
        const response = await postJson('/api/evaluation/grade', student, body);
        assert.equal(response.status, 400, `${field}: ${response.status}`);
        assert.equal(errorCode(response), 'validation_failed');
        assert.equal(response.body.error.details[0].field, field);
        assert.ok(response.text.length < 10_000, `${field}: ${response.text.length} bytes`);
        assert.ok(Date.now() - started < 2_000, `${field}: ${Date.now() - started} ms`);
      }
      const judged = await postJson(
        '/api/evaluation/grade',
        student,
        `{"question":"q","student_answer":"a","rubric":[${many(1_000, '{}')}]}`,
      );
      assert.equal(judged.status, 400);
      assert.equal(judged.body.error.details[0].message, 'rubric must contain no more than 20 elements');
      assert.ok(judged.body.error.details.length <= 100, `${judged.body.error.details.length} details`);
    });
  });

  describe('refused keys', () => {
    it('should answer 400 validation_failed, not invalid_json, to prototype keys and $ keys anywhere in a JSON body', async () => {
      for (const [body, field] of [
        ['{"message":"hi","__proto__":{"role":"admin"}}', '__proto__'],
        ['{"message":"hi","constructor":{"prototype":{"role":"admin"}}}', 'constructor'],
        ['{"message":"hi","prototype":1}', 'prototype'],
        ['{"message":"hi","module_id":{"$ne":null}}', 'module_id.$ne'],
        ['{"message":"hi","\\u005f_proto__":{}}', '__proto__'],
      ]) {
        const response = await postJson('/api/chat', student, body);
        assert.equal(response.status, 400, body);
        assert.equal(errorCode(response), 'validation_failed', body);
        assert.ok(
          (response.body.error.details as { field: string }[]).some((d) => d.field === field),
          JSON.stringify(response.body),
        );
      }
      const rubric = await postJson(
        '/api/evaluation/grade',
        student,
        '{"question":"q","student_answer":"a","rubric":[{"criterion":"c","max_points":1,"__proto__":{"x":1}}]}',
      );
      assert.equal(errorCode(rubric), 'validation_failed');
      assert.deepEqual(rubric.body.error.details, [{ field: 'rubric.0.__proto__', message: 'the key "__proto__" is not allowed' }]);
      const login = await postJson('/api/auth/login', null, `{"email":{"$gt":""},"password":"${TEST_ADMIN.password}"}`);
      assert.equal(login.status, 400);
      assert.equal(errorCode(login), 'validation_failed');
    });

    it('should refuse them in query strings, forms and multipart fields', async () => {
      for (const query of ['__proto__=1', 'constructor=x', 'prototype=', '$where=1', 'q=x&%24gt=1']) {
        const search = await t.http.get(`/api/search?q=words&${query}`).set(bearer(student));
        assert.equal(search.status, 400, query);
        assert.equal(errorCode(search), 'validation_failed');
      }
      const noQueryDto = await t.http.get('/api/users/me?constructor=1').set(bearer(student));
      assert.equal(errorCode(noQueryDto), 'validation_failed');
      const form = await t.http
        .post('/api/auth/login')
        .type('form')
        .send(`username=${encodeURIComponent(TEST_ADMIN.email)}&password=${encodeURIComponent(TEST_ADMIN.password)}&__proto__=x`);
      assert.equal(form.status, 400);
      assert.equal(errorCode(form), 'validation_failed');
      const upload = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .field('constructor', 'x')
        .attach('file', Buffer.from('Plain notes.\n'), { filename: 'notes.txt', contentType: 'text/plain' });
      assert.equal(upload.status, 400);
      assert.equal(errorCode(upload), 'validation_failed');
      const resources = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
      assert.equal(resources.body.data.items.length, 0, 'a refused upload stores nothing');
    });

    it('should refuse unknown fields named like inherited members, as it refuses any unknown field, and store nothing', async () => {
      for (const word of ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__']) {
        const module = await t.http
          .post('/api/admin/modules')
          .set(bearer(admin))
          .send({ title: `Refused ${word}`, [word]: 'x' });
        assert.equal(module.status, 400, `${word}: ${module.status} ${module.text}`);
        assert.equal(errorCode(module), 'validation_failed');
        assert.deepEqual(module.body.error.details, [{ field: word, message: `property ${word} should not exist` }]);
        const rubric = [{ criterion: 'Names it', max_points: 2, [word]: 'x' }];
        const grade = await t.http.post('/api/evaluation/grade').set(bearer(student)).send({ question: 'q', student_answer: 'a', rubric });
        assert.equal(grade.status, 400, `${word}: ${grade.status} ${grade.text}`);
        assert.equal(grade.body.error.details[0].field, `rubric.0.${word}`);
        const query = await t.http
          .get('/api/modules')
          .query({ [word]: '1' })
          .set(bearer(student));
        assert.equal(query.status, 400, `${word}: ${query.status}`);
        const form = await t.http
          .post(`/api/admin/modules/${moduleId}/resources`)
          .set(bearer(admin))
          .field(word, 'x')
          .attach('file', Buffer.from('A short lesson.'), 'lesson.txt');
        assert.equal(form.status, 400, `${word}: ${form.status} ${form.text}`);
      }
      const modules = await t.http.get('/api/modules').query({ limit: 100 }).set(bearer(admin));
      assert.ok(!modules.body.data.items.some((m: { title: string }) => m.title.startsWith('Refused')));
      assert.equal((await t.http.get(`/api/modules/${moduleId}`).set(bearer(admin))).body.data.resource_count, 0);
      assert.deepEqual((await t.http.get('/api/evaluation/grades').set(bearer(student))).body.data.items, []);
    });

    it('should refuse unknown query parameters on routes that take no query, after checking the token, and store nothing', async () => {
      const user = await register(t.http);
      const me = await t.http.get('/api/users/me').query({ role: 'admin' }).set(bearer(user));
      assert.equal(me.status, 400, me.text);
      assert.deepEqual(me.body.error.details, [{ field: 'role', message: 'property role should not exist' }]);
      assert.equal((await t.http.get('/api/evaluation/progress?x=1').set(bearer(user))).status, 400);
      assert.equal(errorCode(await t.http.get('/api/users/me?role=admin')), 'unauthorized');
      const chat = await t.http.post('/api/chat?debug=1').set(bearer(user)).send({ message: 'What is a loop?' });
      assert.equal(errorCode(chat), 'validation_failed');
      assert.deepEqual((await t.http.get('/api/chat/conversations').set(bearer(user))).body.data.items, []);
      assert.equal((await t.http.get('/api/users/me').set(bearer(user))).status, 200);
      assert.equal((await t.http.get('/health/live?probe=1')).status, 200);
    });

    it('should answer 400, not 500, to text that is not valid Unicode (a lone surrogate escape)', async () => {
      const register = await postJson('/api/auth/register', null, '{"email":"\\ud800","password":"a-good-password"}');
      assert.equal(register.status, 400, JSON.stringify(register.body));
      assert.equal(errorCode(register), 'validation_failed');
      const grade = await postJson('/api/evaluation/grade', student, '{"question":"q","student_answer":"x\\udfffy"}');
      assert.equal(errorCode(grade), 'validation_failed');
      const search = await t.http.get('/api/search?q=%ED%A0%80').set(bearer(student));
      assert.ok(search.status < 500, `${search.status}`);
    });

    it('should take the same words as values', async () => {
      const chat = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'constructor __proto__ prototype $where' });
      assert.equal(chat.status, 200);
      const search = await t.http.get('/api/search').query({ q: '__proto__ $gt constructor' }).set(bearer(student));
      assert.equal(search.status, 200);
    });
  });

  describe('paths the router refuses', () => {
    it('should answer an overlong or badly encoded path segment with the envelope and the usual headers', async () => {
      for (const path of [`/api/modules/${'x'.repeat(250)}`, '/api/modules/%E0%A4%A/resources', '/api/chat/conversations/%zz']) {
        const response = await t.http
          .get(path)
          .set(bearer(student))
          .set('X-Request-Id', 'router-refusal')
          .set('Origin', 'https://school.example');
        assert.equal(response.status, 400, `${path}: ${response.status} ${response.text}`);
        assert.equal(errorCode(response), 'validation_failed');
        assert.equal(response.headers['x-request-id'], 'router-refusal');
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
        assert.equal(response.headers['access-control-allow-origin'], 'https://school.example');
      }
    });
  });

  describe('media types', () => {
    it('should answer 415 naming application/json to a form or text body on a JSON route', async () => {
      for (const [type, body] of [
        ['application/x-www-form-urlencoded', 'message=hi'],
        ['text/plain', 'hi'],
        ['application/xml', '<message>hi</message>'],
        ['application/vnd.api+json', '{"message":"hi"}'],
      ]) {
        const response = await t.http.post('/api/chat').set(bearer(student)).set('Content-Type', type).send(body);
        assert.equal(response.status, 415, `${type}: ${JSON.stringify(response.body)}`);
        assert.equal(errorCode(response), 'unsupported_media_type');
        assert.match(response.body.error.message, /application\/json/);
        assert.doesNotMatch(response.body.error.message, /multipart/);
      }
      // What `curl -d` sends without -H: a form.
      const curl = await t.http.patch('/api/users/me').set(bearer(student)).send('display_name=Ann');
      assert.equal(curl.status, 415);
      const streamed = await t.http.post('/api/chat/stream').set(bearer(student)).type('form').send('message=hi');
      assert.equal(streamed.status, 415);
      assert.equal(errorCode(streamed), 'unsupported_media_type');
    });

    it('should say why it refuses a body that is not UTF-8 or is compressed, and store nothing', async () => {
      const user = await register(t.http);
      // Sent as they are: supertest would otherwise write a Buffer out as JSON.
      const asBytes = (body: unknown) => body as string;
      const send = (bytes: Buffer, headers: Record<string, string>) =>
        t.http.post('/api/chat').set(bearer(user)).set(headers).serialize(asBytes).send(bytes);
      const latin1 = await send(Buffer.from('{"message":"caf\xe9"}', 'latin1'), { 'Content-Type': 'application/json; charset=iso-8859-1' });
      assert.equal(latin1.status, 400, latin1.text);
      assert.equal(errorCode(latin1), 'invalid_json');
      assert.match(latin1.body.error.message, /UTF-8/);
      const form = await t.http
        .post('/api/auth/login')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .serialize(asBytes)
        .send(Buffer.from('username=caf\xe9@example.org&password=a-good-password', 'latin1'));
      assert.equal(errorCode(form), 'validation_failed');
      assert.match(form.body.error.message, /UTF-8/);
      const gzipped = await send(gzipSync('{"message":"What is a loop?"}'), {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
      });
      assert.equal(gzipped.status, 415, gzipped.text);
      assert.equal(errorCode(gzipped), 'unsupported_media_type');
      assert.match(gzipped.body.error.message, /gzip/);
      assert.deepEqual((await t.http.get('/api/chat/conversations').set(bearer(user))).body.data.items, []);
      // RFC 8259 lets a parser ignore a byte order mark; the body is then plain UTF-8 JSON.
      const bom = await send(Buffer.from('\ufeff{"message":"What is a loop?"}', 'utf8'), { 'Content-Type': 'application/json' });
      assert.equal(bom.status, 200, bom.text);
    });

    it('should answer 415 to a body without a Content-Type, and accept JSON with a charset', async () => {
      const bare = await t.http
        .post('/api/chat')
        .set(bearer(student))
        .set('Content-Length', '16')
        .serialize((body) => body as string)
        .send('{"message":"hi"}')
        .unset('Content-Type');
      assert.equal(bare.status, 415, JSON.stringify(bare.body));
      const charset = await t.http
        .post('/api/chat')
        .set(bearer(student))
        .set('Content-Type', 'Application/JSON; charset=utf-8')
        .send('{"message":"hi"}');
      assert.equal(charset.status, 200);
    });

    it('should keep taking forms for login, and name both types it takes', async () => {
      const form = await t.http.post('/api/auth/login').type('form').send({ username: TEST_ADMIN.email, password: TEST_ADMIN.password });
      assert.equal(form.status, 200);
      assert.equal(typeof form.body.access_token, 'string');
      const text = await t.http
        .post('/api/auth/login')
        .set('Content-Type', 'text/plain')
        .send(`${TEST_ADMIN.email}:${TEST_ADMIN.password}`);
      assert.equal(text.status, 415);
      assert.match(text.body.error.message, /application\/json/);
      assert.match(text.body.error.message, /application\/x-www-form-urlencoded/);
    });

    it('should take multipart or JSON for uploads and name both otherwise', async () => {
      const json = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .send({ title: 'Typed', content: '# Typed\n\nA JSON document.', format: 'markdown' });
      assert.equal(json.status, 201);
      const text = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .set('Content-Type', 'text/markdown')
        .send('# Raw\n\nA raw body.');
      assert.equal(text.status, 415);
      assert.equal(errorCode(text), 'unsupported_media_type');
      assert.match(text.body.error.message, /multipart\/form-data/);
      assert.match(text.body.error.message, /application\/json/);
    });

    it('should not judge the type of an empty body', async () => {
      const conversation = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'hello' });
      const deleted = await t.http
        .delete(`/api/chat/conversations/${conversation.body.data.conversation_id}`)
        .set(bearer(student))
        .set('Content-Type', 'application/json');
      assert.equal(deleted.status, 204);
      const rebuild = await t.http.post('/api/admin/index/rebuild').set(bearer(admin)).set('Content-Type', 'text/plain');
      assert.equal(rebuild.status, 202);
    });
  });

  describe('a body that is no JSON object', () => {
    it('should answer 400 validation_failed naming the body to null, an array, a number or a string, and change nothing', async () => {
      for (const raw of ['null', '[]', '[{"display_name":"Renamed"}]', '5', '"Renamed"', 'true']) {
        const change = await t.http.patch('/api/users/me').set(bearer(student)).set('Content-Type', 'application/json').send(raw);
        assert.equal(change.status, 400, `${raw}: ${change.status} ${change.text}`);
        assert.equal(errorCode(change), 'validation_failed', raw);
        assert.equal(change.body.error.details[0].field, 'body', raw);
        const created = await t.http.post('/api/admin/modules').set(bearer(admin)).set('Content-Type', 'application/json').send(raw);
        assert.equal(created.status, 400, `${raw}: ${created.status} ${created.text}`);
        // Login picks its DTO at run time (JSON or form): the same rule.
        const login = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(raw);
        assert.equal(login.status, 400, `${raw}: ${login.status} ${login.text}`);
        assert.equal(login.body.error.details[0].field, 'body', raw);
      }
      const me = await t.http.get('/api/users/me').set(bearer(student));
      assert.notEqual(me.body.data.display_name, 'Renamed');
    });
  });

  describe('null in a change', () => {
    const refusedNull = async (path: string, body: Partial<Record<string, null>>) => {
      const response = await t.http.patch(path).set(bearer(admin)).send(body);
      assert.equal(response.status, 400, `${path} ${JSON.stringify(body)}: ${response.status} ${response.text}`);
      assert.equal(errorCode(response), 'validation_failed');
      assert.equal(response.body.error.details[0].field, Object.keys(body)[0]);
    };

    it('should refuse null for a module or course title or description, and leave them as they were', async () => {
      const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Kept title', description: 'Kept text' });
      const course = await t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: 'Kept course', description: 'Kept text' });
      for (const body of [{ title: null }, { description: null }] as Record<string, null>[]) {
        await refusedNull(`/api/admin/modules/${module.body.data.id}`, body);
        await refusedNull(`/api/admin/courses/${course.body.data.id}`, body);
      }
      const moduleNow = await t.http.get(`/api/modules/${module.body.data.id}`).set(bearer(admin));
      assert.deepEqual([moduleNow.body.data.title, moduleNow.body.data.description], ['Kept title', 'Kept text']);
      const courseNow = await t.http.get(`/api/courses/${course.body.data.id}`).set(bearer(admin));
      assert.deepEqual([courseNow.body.data.title, courseNow.body.data.description], ['Kept course', 'Kept text']);
    });

    it("should refuse null for a user's role or disabled flag, and leave the account working", async () => {
      const user = await register(t.http);
      for (const body of [{ role: null }, { disabled: null }] as Record<string, null>[])
        await refusedNull(`/api/admin/users/${user.id}`, body);
      const me = await t.http.get('/api/users/me').set(bearer(user));
      assert.equal(me.status, 200);
      assert.deepEqual([me.body.data.role, me.body.data.disabled], ['student', false]);
    });

    it('should refuse null for the score or feedback of a grade review, and not mark the grade reviewed', async () => {
      const user = await register(t.http);
      const graded = await t.http
        .post('/api/evaluation/grade')
        .set(bearer(user))
        .send({ question: 'What is a loop?', student_answer: 'A loop repeats code.', reference_answer: 'A loop repeats a block of code.' });
      assert.equal(graded.status, 200);
      for (const body of [{ score: null }, { feedback: null }] as Record<string, null>[])
        await refusedNull(`/api/admin/evaluations/${graded.body.data.id}`, body);
      const log = await t.http.get('/api/admin/evaluations').query({ user_id: user.id }).set(bearer(admin));
      assert.equal(log.body.data.items[0].reviewed_by ?? null, null);
    });
  });

  describe('characters beyond the Basic Multilingual Plane', () => {
    // An emoji is one character of the limits API.md and the OpenAPI document give, but two UTF-16 units.
    const emoji = (count: number) => '📘'.repeat(count);
    const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

    it('should take titles, descriptions and names of emoji up to their limits in characters', async () => {
      const module = await t.http
        .post('/api/admin/modules')
        .set(bearer(admin))
        .send({ title: emoji(200), description: emoji(5000) });
      assert.equal(module.status, 201, module.text.slice(0, 300));
      assert.equal(module.body.data.title, emoji(200));
      const course = await t.http
        .post('/api/admin/courses')
        .set(bearer(admin))
        .send({ title: 'Emoji', description: emoji(5000) });
      assert.equal(course.status, 201, course.text.slice(0, 300));
      const renamed = await t.http
        .patch(`/api/admin/courses/${course.body.data.id}`)
        .set(bearer(admin))
        .send({ title: emoji(200) });
      assert.equal(renamed.status, 200, renamed.text.slice(0, 300));
      const resource = await t.http
        .post(`/api/admin/modules/${module.body.data.id}/resources`)
        .set(bearer(admin))
        .send({ title: emoji(300), content: 'A lesson about loops.', format: 'text' });
      assert.equal(resource.status, 201, resource.text.slice(0, 300));
      const named = await t.http
        .patch('/api/users/me')
        .set(bearer(student))
        .send({ display_name: emoji(100) });
      assert.equal(named.status, 200, named.text.slice(0, 300));
      const chat = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'What is a loop?' });
      const conversation = `/api/chat/conversations/${chat.body.data.conversation_id}`;
      const retitled = await t.http
        .patch(conversation)
        .set(bearer(student))
        .send({ title: emoji(200) });
      assert.equal(retitled.status, 200, retitled.text.slice(0, 300));
      const refused = await t.http
        .patch(conversation)
        .set(bearer(student))
        .send({ title: emoji(201) });
      assert.equal(errorCode(refused), 'validation_failed');
    });

    it('should take a file name of emoji up to 300 characters, refuse a longer one with 400, and store nothing then', async () => {
      const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'File names' });
      const send = (filename: string) =>
        t.http
          .post(`/api/admin/modules/${module.body.data.id}/resources`)
          .set(bearer(admin))
          .attach('file', Buffer.from('A lesson about loops.'), filename);
      const taken = await send(`${emoji(296)}.txt`);
      assert.equal(taken.status, 201, taken.text.slice(0, 300));
      assert.equal(taken.body.data.filename, `${emoji(296)}.txt`);
      for (const filename of [`${emoji(297)}.txt`, `${'n'.repeat(400)}.txt`]) {
        const refused = await send(filename);
        assert.equal(refused.status, 400, refused.text.slice(0, 300));
        assert.equal(refused.body.error.details[0].field, 'file');
      }
      assert.equal((await t.http.get(`/api/modules/${module.body.data.id}`).set(bearer(admin))).body.data.resource_count, 1);
    });

    it('should never cut an emoji in half when it shortens a heading or a first message into a title', async () => {
      const heading = `# A${emoji(150)}\n\nA lesson about loops.\n`;
      const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Shortened' });
      const resource = await t.http
        .post(`/api/admin/modules/${module.body.data.id}/resources`)
        .set(bearer(admin))
        .attach('file', Buffer.from(heading), 'heading.md');
      assert.equal(resource.status, 201, resource.text.slice(0, 300));
      assert.ok(resource.body.data.title.endsWith('…'), resource.body.data.title);
      assert.doesNotMatch(resource.body.data.title, LONE_SURROGATE);
      const chat = await t.http
        .post('/api/chat')
        .set(bearer(student))
        .send({ message: `A${emoji(100)}` });
      const conversation = await t.http.get(`/api/chat/conversations/${chat.body.data.conversation_id}`).set(bearer(student));
      assert.ok(conversation.body.data.title.endsWith('…'), conversation.body.data.title);
      assert.doesNotMatch(conversation.body.data.title, LONE_SURROGATE);
    });
  });

  describe('numbers and dates in queries', () => {
    const refusedField = (response: request.Response, field: string, label: string) => {
      assert.equal(response.status, 400, `${label}: ${response.status} ${response.text.slice(0, 300)}`);
      assert.equal(errorCode(response), 'validation_failed', label);
      const details = response.body.error.details as { field: string }[];
      assert.ok(details.length > 0 && details.every((d) => d.field === field), `${label}: ${JSON.stringify(response.body)}`);
    };

    it('should take a number of a query only in plain decimal digits: 0x10, 1e1, +5, 5.0 are 400 naming the field', async () => {
      const queries: [string, Account, string][] = [
        ['/api/modules', student, 'limit'],
        ['/api/chat/conversations', student, 'limit'],
        ['/api/evaluation/review', student, 'limit'],
        ['/api/admin/audit', admin, 'limit'],
        ['/api/search?q=loops', student, 'k'],
      ];
      for (const [path, account, field] of queries) {
        for (const written of ['0x10', '1e1', '0b11', '0o7', '+5', '5.0', ' 5', '1_0', 'Infinity']) {
          const url = `${path}${path.includes('?') ? '&' : '?'}${field}=${encodeURIComponent(written)}`;
          refusedField(await t.http.get(url).set(bearer(account)), field, url);
        }
        const plain = await t.http.get(`${path}${path.includes('?') ? '&' : '?'}${field}=3`).set(bearer(account));
        assert.equal(plain.status, 200, `${path} ${field}=3: ${plain.text.slice(0, 300)}`);
      }
    });

    it('should refuse an impossible calendar date or a malformed ISO 8601 time in from and to, naming the field', async () => {
      for (const path of ['/api/admin/audit', '/api/admin/conversations', '/api/admin/evaluations']) {
        for (const field of ['from', 'to']) {
          for (const written of ['2026-02-30', '2025-02-29', '2026-04-31T10:00:00Z', '2026-13-01', '2026-00-10', '2026-W05', '2026-032']) {
            const url = `${path}?${field}=${encodeURIComponent(written)}`;
            refusedField(await t.http.get(url).set(bearer(admin)), field, url);
          }
          for (const written of ['2024-02-29', '2026-02-28T23:59:59.999Z', '2026-03-01T10:00:00+02:00']) {
            const taken = await t.http.get(`${path}?${field}=${encodeURIComponent(written)}`).set(bearer(admin));
            assert.equal(taken.status, 200, `${path} ${field}=${written}: ${taken.text.slice(0, 300)}`);
          }
        }
      }
    });
  });

  describe('text that shows nothing', () => {
    // NUL, zero-width space, BOM, word joiner, Hangul filler, soft hyphen, variation selector, blank Braille.
    const INVISIBLE_ONLY = ['\u0000', '\u200b\u200b', ' \u200b\ufeff\u2060 ', '\u3164', '\u00ad', '\ufe0f', '\u2800', '\u200d\u200c'];

    const refused = async (label: string, field: string, send: () => Promise<request.Response>) => {
      const response = await send();
      assert.equal(response.status, 400, `${label}: ${response.status} ${response.text.slice(0, 300)}`);
      assert.equal(errorCode(response), 'validation_failed', label);
      assert.ok(
        (response.body.error.details as { field: string }[]).some((d) => d.field === field),
        `${label}: ${JSON.stringify(response.body)}`,
      );
    };

    it('should refuse a chat message made only of invisible characters, as an empty one, and store no conversation', async () => {
      const user = await register(t.http);
      for (const message of INVISIBLE_ONLY) {
        await refused(JSON.stringify(message), 'message', () => t.http.post('/api/chat').set(bearer(user)).send({ message }));
        await refused(JSON.stringify(message), 'message', () => t.http.post('/api/chat/stream').set(bearer(user)).send({ message }));
      }
      const conversations = await t.http.get('/api/chat/conversations').set(bearer(user));
      assert.deepEqual(conversations.body.data.items, []);
      // Joiners inside visible text are part of it: an emoji of several people, a Persian word.
      for (const message of ['👩‍💻 what is a loop?', 'می‌خواهم']) {
        const taken = await t.http.post('/api/chat').set(bearer(user)).send({ message });
        assert.equal(taken.status, 200, taken.text.slice(0, 300));
      }
    });

    it('should refuse invisible-only titles, questions, answers and names, and change nothing', async () => {
      const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Visible title' });
      const course = await t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: 'Visible course' });
      const chat = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'What is a loop?' });
      const conversation = `/api/chat/conversations/${chat.body.data.conversation_id}`;
      const bank = `/api/admin/modules/${module.body.data.id}/questions`;
      for (const blank of INVISIBLE_ONLY) {
        const label = JSON.stringify(blank);
        await refused(label, 'title', () => t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: blank }));
        await refused(label, 'title', () =>
          t.http.patch(`/api/admin/modules/${module.body.data.id}`).set(bearer(admin)).send({ title: blank }),
        );
        await refused(label, 'title', () => t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: blank }));
        await refused(label, 'title', () =>
          t.http.patch(`/api/admin/courses/${course.body.data.id}`).set(bearer(admin)).send({ title: blank }),
        );
        await refused(label, 'title', () => t.http.patch(conversation).set(bearer(student)).send({ title: blank }));
        await refused(label, 'title', () =>
          t.http
            .post(`/api/admin/modules/${module.body.data.id}/resources`)
            .set(bearer(admin))
            .send({ title: blank, content: 'A lesson about loops.', format: 'text' }),
        );
        await refused(label, 'display_name', () => t.http.patch('/api/users/me').set(bearer(student)).send({ display_name: blank }));
        await refused(label, 'q', () => t.http.get('/api/search').query({ q: blank }).set(bearer(student)));
        await refused(label, 'question', () =>
          t.http.post(bank).set(bearer(admin)).send({ type: 'true_false', question: blank, answer: 'true' }),
        );
        await refused(label, 'answer', () =>
          t.http
            .post(bank)
            .set(bearer(admin))
            .send({ type: 'mcq', question: 'Which?', choices: ['a', 'b', 'c', blank], answer: blank }),
        );
        await refused(label, 'choices', () =>
          t.http
            .post(bank)
            .set(bearer(admin))
            .send({ type: 'mcq', question: 'Which?', choices: ['a', 'b', 'c', blank], answer: 'a' }),
        );
        await refused(label, 'reference_answer', () =>
          t.http.post(bank).set(bearer(admin)).send({ type: 'short_answer', question: 'Why?', reference_answer: blank }),
        );
        await refused(label, 'question', () =>
          t.http.post('/api/evaluation/grade').set(bearer(student)).send({ question: blank, student_answer: 'A loop repeats code.' }),
        );
        await refused(label, 'rubric.0.criterion', () =>
          t.http
            .post('/api/evaluation/grade')
            .set(bearer(student))
            .send({ question: 'What is a loop?', student_answer: 'It repeats.', rubric: [{ criterion: blank, max_points: 2 }] }),
        );
      }
      assert.equal((await t.http.get(`/api/modules/${module.body.data.id}`).set(bearer(admin))).body.data.title, 'Visible title');
      assert.equal((await t.http.get(`/api/courses/${course.body.data.id}`).set(bearer(admin))).body.data.title, 'Visible course');
      assert.equal((await t.http.get(bank.replace('/admin', '')).set(bearer(admin))).body.data.items.length, 0);
      assert.equal((await t.http.get(`/api/modules/${module.body.data.id}/resources`).set(bearer(admin))).body.data.items.length, 0);
    });

    it('should refuse a document made only of invisible characters as one without text (422), and store nothing', async () => {
      const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Invisible documents' });
      const resources = `/api/admin/modules/${module.body.data.id}/resources`;
      for (const blank of INVISIBLE_ONLY) {
        const label = JSON.stringify(blank);
        for (const format of ['text', 'markdown', 'html']) {
          const sent = await t.http.post(resources).set(bearer(admin)).send({ title: 'Blank', content: blank, format });
          assert.equal(sent.status, 422, `${label} ${format}: ${sent.status} ${sent.text.slice(0, 300)}`);
          assert.equal(errorCode(sent), 'unprocessable_document');
        }
        // A file of NUL is binary data, refused as such (415) before it is read.
        if (blank === '\u0000') continue;
        const uploaded = await t.http.post(resources).set(bearer(admin)).attach('file', Buffer.from(blank), 'blank.txt');
        assert.equal(uploaded.status, 422, `${label} file: ${uploaded.status} ${uploaded.text.slice(0, 300)}`);
      }
      const module_ = await t.http.get(`/api/modules/${module.body.data.id}`).set(bearer(admin));
      assert.equal(module_.body.data.resource_count, 0);
    });

    it('should refuse an email holding an invisible character, wherever an email is given, and keep taking accented ones', async () => {
      const course = await t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: 'Emails' });
      for (const email of ['zw\u200b@y.co', 'zw@y\u200b.co', '\u200bzw@y.co', 'z\u00adw@y.co', 'z\u2060w@y.co', 'z\u2003w@y.co']) {
        const label = JSON.stringify(email);
        await refused(label, 'email', () => t.http.post('/api/auth/register').send({ email, password: 'a-good-password' }));
        await refused(label, 'email', () =>
          t.http.post('/api/admin/users').set(bearer(admin)).send({ email, password: 'a-good-password', role: 'student' }),
        );
        await refused(label, 'email', () =>
          t.http.post(`/api/admin/courses/${course.body.data.id}/students`).set(bearer(admin)).send({ email }),
        );
      }
      const users = await t.http.get('/api/admin/users').query({ q: 'zw' }).set(bearer(admin));
      assert.deepEqual(users.body.data.items, []);
      const accented = await t.http
        .post('/api/auth/register')
        .send({ email: `josé-${Date.now()}@exemple.fr`, password: 'a-good-password' });
      assert.equal(accented.status, 201, accented.text.slice(0, 300));
    });
  });
});
