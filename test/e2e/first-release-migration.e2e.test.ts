import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type request from 'supertest';
import { LEGACY_MODULES_MIGRATION } from '../../src/content/legacy-module-migration';
import { LEGACY_EVALUATION_MIGRATION } from '../../src/evaluation/legacy-evaluation-migration';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { EMAIL_KEY_MIGRATION } from '../../src/users/email-key-migration';
import { GradeRecord, GradeSchema } from '../../src/infrastructure/persistence/schemas/grade.schema';
import { MigrationRecord, MigrationSchema } from '../../src/infrastructure/persistence/schemas/migration.schema';
import { FIRST_RELEASE, FirstReleaseIds } from '../fixtures/first-release/first-release-data';
import { copyFirstReleaseDataDir, firstReleaseIds, loadFirstReleaseIntoMongo } from '../support/first-release';
import { dropMongoDatabase, freshMongoUri, MONGODB_TEST_URI } from '../support/mongo';
import { Account, bearer, errorCode, login, loginAdmin, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

/**
 * A data directory written by the first release (test/fixtures/first-release, made by its
 * write-data.ts on the first release's code), started under the new code: on the embedded store as
 * it is, and on MongoDB with the same documents loaded. Its module becomes an open module owned by
 * the first admin; its generated question stays the student's practice question; its grade by that
 * question's id keeps counting, the one on the student's own reference becomes practice, and
 * progress is rebuilt from the grade that counts; everything else keeps working. Each migration,
 * once finished, is recorded and skipped at later starts.
 */

type Module = { id: string; title: string; course_id: string | null; owner_id: string | null; resource_count: number; updated_at: string };
type Grade = {
  id: string;
  module_id: string | null;
  score: number;
  percentage: number;
  question_id: string | null;
  counts_toward_progress: boolean;
};
type Progress = {
  overall: { attempts: number; average_percentage: number };
  modules: { module_id: string; attempts: number; average_percentage: number }[];
};
type Page<T> = { items: T[]; next_cursor: string | null };

async function ok<T>(response: request.Response | Promise<request.Response>, status = 200): Promise<T> {
  const res = await response;
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body.data as T;
}

function stores(): { name: string; mongo: boolean }[] {
  return [{ name: 'embedded', mongo: false }, ...(MONGODB_TEST_URI ? [{ name: 'mongodb', mongo: true }] : [])];
}

describe.each(stores())('first-release data under the new code [$name]', ({ mongo }) => {
  const ids: FirstReleaseIds = firstReleaseIds();
  let dataDir: string;
  let mongodbUri: string | undefined;
  let t: TestApp;
  let admin: Account;
  let instructor: Account;
  let student: Account;

  const start = () => startTestApp({ dataDir, ...(mongodbUri ? { mongodbUri } : {}) });

  beforeAll(async () => {
    dataDir = copyFirstReleaseDataDir();
    if (mongo) {
      mongodbUri = freshMongoUri('first_release');
      await loadFirstReleaseIntoMongo(dataDir, mongodbUri);
    }
    t = await start();
    admin = await loginAdmin(t.http);
    instructor = await login(t.http, FIRST_RELEASE.instructor.email, FIRST_RELEASE.instructor.password);
    student = await login(t.http, FIRST_RELEASE.student.email, FIRST_RELEASE.student.password);
  });

  afterAll(async () => {
    await t.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
    if (mongodbUri) await dropMongoDatabase(mongodbUri);
  });

  it('should keep the accounts of the first release, with their roles', () => {
    assert.equal(admin.id, ids.admin);
    assert.equal(instructor.id, ids.instructor);
    assert.equal(student.id, ids.student);
  });

  it('should make its module an open module owned by the first admin, seen by everyone', async () => {
    for (const reader of [student, instructor, admin]) {
      const module = await ok<Module>(t.http.get(`/api/modules/${ids.module}`).set(bearer(reader)));
      expect(module).toMatchObject({
        id: ids.module,
        title: FIRST_RELEASE.module.title,
        course_id: null,
        owner_id: ids.admin,
        resource_count: 1,
      });
      const list = await ok<Page<Module>>(t.http.get('/api/modules').set(bearer(reader)));
      assert.ok(list.items.some((m) => m.id === ids.module));
      const resources = await ok<Page<{ id: string; status: string }>>(
        t.http.get(`/api/modules/${ids.module}/resources`).set(bearer(reader)),
      );
      expect(resources.items).toEqual([expect.objectContaining({ id: ids.resource, status: 'indexed' })]);
    }
  });

  it('should let the first admin manage it and no longer its creator (403)', async () => {
    const refused = await t.http.patch(`/api/admin/modules/${ids.module}`).set(bearer(instructor)).send({ title: 'Mine now' });
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), 'forbidden');
    const renamed = await ok<Module>(
      t.http.patch(`/api/admin/modules/${ids.module}`).set(bearer(admin)).send({ description: 'Clouds and rain.' }),
    );
    assert.equal(renamed.owner_id, ids.admin);
  });

  it('should still find its passages in the saved index', async () => {
    const found = await ok<{ results: { resource_id: string; module_id: string }[] }>(
      t.http.get('/api/search').query({ q: 'water vapour condenses into clouds' }).set(bearer(student)),
    );
    assert.ok(found.results.some((p) => p.resource_id === ids.resource && p.module_id === ids.module));
  });

  it('should keep counting the grade that answered a stored question, make the self-graded one practice, and rebuild progress', async () => {
    const grades = await ok<Page<Grade>>(t.http.get('/api/evaluation/grades').set(bearer(student)));
    const byId = new Map(grades.items.map((g) => [g.id, g]));
    expect(byId.get(ids.grade_with_question)).toMatchObject({
      question_id: ids.question,
      module_id: ids.module,
      counts_toward_progress: true,
    });
    expect(byId.get(ids.grade_with_reference)).toMatchObject({ question_id: null, module_id: ids.module, counts_toward_progress: false });
    const counted = byId.get(ids.grade_with_question)!;
    const progress = await ok<Progress>(t.http.get('/api/evaluation/progress').set(bearer(student)));
    expect(progress.overall).toEqual({ attempts: 1, average_percentage: counted.percentage });
    expect(progress.modules.map((m) => [m.module_id, m.attempts, m.average_percentage])).toEqual([[ids.module, 1, counted.percentage]]);
  });

  it("should keep the generated question the student's own practice question, out of the module's bank", async () => {
    const bank = await ok<Page<{ id: string }>>(t.http.get(`/api/modules/${ids.module}/questions`).set(bearer(admin)));
    expect(bank.items).toEqual([]);
    const byOthers = await t.http
      .post('/api/evaluation/grade')
      .set(bearer(instructor))
      .send({ question_id: ids.question, student_answer: 'true' });
    assert.equal(byOthers.status, 404);
    const edit = await t.http.patch(`/api/admin/questions/${ids.question}`).set(bearer(admin)).send({ difficulty: 'hard' });
    assert.equal(edit.status, 404, 'a practice question is no bank question to edit');
  });

  it("should keep the student's grades and the question they generated", async () => {
    const grades = await ok<Page<Grade>>(t.http.get('/api/evaluation/grades').set(bearer(student)));
    expect(grades.items.map((g) => g.id).sort()).toEqual([ids.grade_with_question, ids.grade_with_reference].sort());
    const log = await ok<Page<Grade>>(t.http.get('/api/admin/evaluations').query({ user_id: ids.student }).set(bearer(admin)));
    assert.equal(log.items.length, 2);
    const again = await ok<Grade>(
      t.http.post('/api/evaluation/grade').set(bearer(student)).send({ question_id: ids.question, student_answer: 'true' }),
    );
    assert.equal(again.score, 10, 'graded against the stored key, as before');
    expect(again).toMatchObject({ question_id: ids.question, counts_toward_progress: false });
  });

  it('should migrate once: a restart, even with a newer admin, changes nothing more', async () => {
    const before = await ok<Module>(t.http.get(`/api/modules/${ids.module}`).set(bearer(admin)));
    const progressBefore = await ok<Progress>(t.http.get('/api/evaluation/progress').set(bearer(student)));
    const email = uniqueEmail('second-admin');
    await ok(t.http.post('/api/admin/users').set(bearer(admin)).send({ email, password: 'a-good-password', role: 'admin' }), 201);
    await t.close({ keepData: true });
    t = await start();
    admin = await loginAdmin(t.http);
    const after = await ok<Module>(t.http.get(`/api/modules/${ids.module}`).set(bearer(admin)));
    assert.deepEqual(after, before);
    student = await login(t.http, FIRST_RELEASE.student.email, FIRST_RELEASE.student.password);
    expect(await ok<Progress>(t.http.get('/api/evaluation/progress').set(bearer(student)))).toEqual(progressBefore);
  });

  it('should record each migration as done and skip it at later starts, until its record is gone', async () => {
    const store = t.app.get(DocumentStore);
    const migrations = store.collection<MigrationRecord>({ name: 'migrations', schema: MigrationSchema });
    const recorded = async () => (await migrations.find({})).map((m) => m._id).sort();
    expect(await recorded()).toEqual([EMAIL_KEY_MIGRATION, LEGACY_EVALUATION_MIGRATION, LEGACY_MODULES_MIGRATION].sort());
    const migrationLines = () =>
      t
        .logs()
        .filter((line) => line.context === 'Migration')
        .map((line) => String(line.msg));
    const countedGrade = async () => {
      const grades = await ok<Page<Grade>>(t.http.get('/api/evaluation/grades').set(bearer(student)));
      return grades.items.find((g) => g.id === ids.grade_with_question)!.counts_toward_progress;
    };

    // The counted grade back in the first release's shape: a later start no longer looks for such grades.
    const grades = store.collection<GradeRecord>({ name: 'grades', schema: GradeSchema });
    assert.ok(await grades.updateOne({ _id: ids.grade_with_question }, { $unset: { countsTowardProgress: '' } }));
    await t.close({ keepData: true });
    t = await start();
    student = await login(t.http, FIRST_RELEASE.student.email, FIRST_RELEASE.student.password);
    expect(migrationLines()).toEqual([]);
    assert.equal(await countedGrade(), false, 'left unmarked: the finished migration was skipped');

    // Without its record (a start stopped before the migration finished), the next start runs it again.
    assert.ok(
      await t.app
        .get(DocumentStore)
        .collection<MigrationRecord>({ name: 'migrations', schema: MigrationSchema })
        .deleteOne({ _id: LEGACY_EVALUATION_MIGRATION }),
    );
    await t.close({ keepData: true });
    t = await start();
    student = await login(t.http, FIRST_RELEASE.student.email, FIRST_RELEASE.student.password);
    expect(migrationLines()).toEqual([
      'The grades of 1 learner(s) of the first release were marked counted or practice; progress rebuilt.',
      `${LEGACY_EVALUATION_MIGRATION}: done; later starts skip it.`,
    ]);
    assert.equal(await countedGrade(), true);
  });
});
