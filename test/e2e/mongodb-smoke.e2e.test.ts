import { describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { getConnectionToken } from '@nestjs/mongoose';
import mongoose, { Connection } from 'mongoose';
import { newId } from '../../src/common/ids';
import { APPLICATION_MODELS } from '../../src/infrastructure/persistence/collections';
import { MONGO_CONNECTION_OPTIONS } from '../../src/infrastructure/persistence/mongo/mongo-persistence';
import { makePdf } from '../support/documents';
import { freshMongoUri, MONGODB_SKIP_REASON, MONGODB_TEST_URI } from '../support/mongo';
import { bearer, createCourseModule, login, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

const describeMongo = MONGODB_TEST_URI ? describe : describe.skip;

const PAGES = [
  'The Moon has craters made by meteorites over billions of years.',
  'Jupiter has a great red spot, a storm larger than Earth that has lasted for centuries.',
];
const QUESTION = 'What is the great red spot of Jupiter?';
const REFERENCE = 'A storm larger than Earth that has lasted for centuries.';

describeMongo(`the whole application on MongoDB${MONGODB_TEST_URI ? '' : `: ${MONGODB_SKIP_REASON}`}`, () => {
  it('should serve a learner and read everything back after a restart on the same database', async () => {
    const uri = freshMongoUri('smoke');
    const first = await startTestApp({ mongodbUri: uri });
    let second: TestApp | undefined;
    try {
      const ready = await first.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.data.components.database).toEqual({ status: 'up', kind: 'mongodb' });
      // Every collection a repository uses is registered by MongooseModule.forFeature, none on the side.
      const models = Object.keys(first.app.get<Connection>(getConnectionToken()).models).sort();
      expect(models).toEqual(APPLICATION_MODELS.map((model) => model.name).sort());

      const registered = await register(first.http, { display_name: 'Ada' });
      const student = await login(first.http, registered.email, registered.password);
      const me = await first.http.get('/api/users/me').set(bearer(student));
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ id: student.id, email: student.email, display_name: 'Ada', role: 'student' });

      const admin = await loginAdmin(first.http);
      const moduleId = await createCourseModule(first, admin, 'Planets');
      const uploaded = await first.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .attach('file', await makePdf(PAGES), { filename: 'planets.pdf', contentType: 'application/pdf' });
      expect(uploaded.status).toBe(201);
      expect(uploaded.body.data).toMatchObject({ module_id: moduleId, mime_type: 'application/pdf', status: 'indexed' });
      const resourceId = uploaded.body.data.id as string;

      const found = await first.http
        .get('/api/search')
        .query({ q: 'Jupiter red spot storm', module_id: moduleId, k: 1 })
        .set(bearer(student));
      expect(found.status).toBe(200);
      expect(found.body.data.results).toHaveLength(1);
      expect(found.body.data.results[0]).toMatchObject({ resource_id: resourceId, module_id: moduleId, location: { page: 2 } });

      const chat = await first.http.post('/api/chat').set(bearer(student)).send({ message: QUESTION, module_id: moduleId });
      expect(chat.status).toBe(200);
      expect(chat.body.data.sources.length).toBeGreaterThan(0);
      expect(chat.body.data.sources.every((source: { resource_id: string }) => source.resource_id === resourceId)).toBe(true);
      const conversationId = chat.body.data.conversation_id as string;

      const banked = await first.http
        .post(`/api/admin/modules/${moduleId}/questions`)
        .set(bearer(admin))
        .send({ type: 'short_answer', question: QUESTION, reference_answer: REFERENCE });
      expect(banked.status).toBe(201);
      const graded = await first.http
        .post('/api/evaluation/grade')
        .set(bearer(student))
        .send({ question_id: banked.body.data.id, student_answer: 'It is a giant storm, larger than Earth.' });
      expect(graded.status).toBe(200);
      expect(graded.body.data.counts_toward_progress).toBe(true);
      const grade = graded.body.data as { id: string; score: number; percentage: number };

      const stats = await first.http.get('/api/admin/stats').set(bearer(admin));
      expect(stats.status).toBe(200);
      expect(stats.body.data).toMatchObject({ users: 2, conversations: 1, messages: 2, grades: 1 });
      expect(stats.body.data.average_percentage).toBe(Math.round(grade.percentage * 100) / 100);
      const days = stats.body.data.tokens_by_day as { date: string; prompt: number; completion: number; total: number }[];
      expect(days).toHaveLength(30);
      expect(days.at(-1)?.date).toBe(new Date().toISOString().slice(0, 10));
      // The local model counts tokens too, all of them today: the last day holds every one.
      expect(stats.body.data.tokens.total).toBeGreaterThan(0);
      expect(days.at(-1)).toMatchObject(stats.body.data.tokens);

      await first.close({ keepData: true });
      // A new instance with an index of its own: it rebuilds what it needs from the chunks in MongoDB.
      second = await startTestApp({ mongodbUri: uri });

      const again = await login(second.http, student.email, student.password);
      expect((await second.http.get('/api/users/me').set(bearer(again))).body.data).toEqual(me.body.data);
      const refreshed = await second.http.post('/api/auth/refresh').send({ refresh_token: student.refreshToken });
      expect(refreshed.status).toBe(200);

      const module = await second.http.get(`/api/modules/${moduleId}`).set(bearer(again));
      expect(module.body.data).toMatchObject({ id: moduleId, title: 'Planets', resource_count: 1 });
      const resources = await second.http.get(`/api/modules/${moduleId}/resources`).set(bearer(again));
      expect(resources.body.data.items).toEqual([uploaded.body.data]);
      const searchedAgain = await second.http
        .get('/api/search')
        .query({ q: 'Jupiter red spot storm', module_id: moduleId, k: 1 })
        .set(bearer(again));
      expect(searchedAgain.body.data.results[0]).toMatchObject({ resource_id: resourceId, location: { page: 2 } });

      const conversation = await second.http.get(`/api/chat/conversations/${conversationId}`).set(bearer(again));
      expect(conversation.status).toBe(200);
      expect(conversation.body.data.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
        ['user', QUESTION],
        ['assistant', chat.body.data.answer],
      ]);
      const grades = await second.http.get('/api/evaluation/grades').set(bearer(again));
      expect(grades.body.data.items).toEqual([graded.body.data]);
    } finally {
      rmSync(first.dataDir, { recursive: true, force: true });
      await second?.close();
    }
  });

  it('should answer 503 on /health/ready, naming the database, once the MongoDB connection is gone', async () => {
    const t = await startTestApp({ mongodbUri: freshMongoUri('smoke') });
    try {
      expect((await t.http.get('/health/ready')).status).toBe(200);
      await t.app.get<Connection>(getConnectionToken()).close();
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error).toMatchObject({ code: 'service_unavailable', details: { database: { status: 'down', kind: 'mongodb' } } });
    } finally {
      await t.close();
    }
  });

  it('should refuse to start, naming the collection, on a database whose documents break a unique index', async () => {
    const uri = freshMongoUri('smoke');
    const connection = await mongoose.createConnection(uri, MONGO_CONNECTION_OPTIONS).asPromise();
    try {
      const twin = () => ({ _id: newId(), email: 'twin@example.org', emailKey: 'twin@example.org' });
      await connection.db!.collection<{ _id: string }>('users').insertMany([twin(), twin()]);
      await expect(startTestApp({ mongodbUri: uri })).rejects.toThrow(/^The users collection could not be prepared: .*E11000/);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
