import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { createStaff, fails, ok, stores } from '../support/answers';
import { dropMongoDatabase } from '../support/mongo';
import { Account, bearer, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * Who sees and who manages a module (API.md, "Courses"), on every path that takes one: module
 * reads and writes, search, chat, question generation, the evaluation log and course deletion.
 * Roles: a student of the course, the course's instructor, another instructor, an admin and a
 * student who is not enrolled.
 */

type Module = { id: string; title: string; description: string; course_id: string | null; owner_id: string | null; resource_count: number };
type Resource = { id: string; module_id: string; status: string };
type Course = { id: string; join_code: string | null; module_count: number };
type Passage = { module_id: string; resource_id: string; text: string };
type Grade = { id: string; user_id: string; module_id: string | null; score: number };
type Question = { id: string; sources: Passage[] };
type Page<T> = { items: T[]; next_cursor: string | null };
type AuditEntry = { actor_id: string; action: string; target_id: string | null; details: Record<string, unknown> };

const UNKNOWN_ID = 'c'.repeat(24);

const COURSE_MD = `# Photosynthesis

Photosynthesis is the process by which green plants turn light energy into chemical energy. Chlorophyll, the green pigment in chloroplasts, absorbs mostly red and blue light. In the light reactions, water molecules are split, releasing oxygen as a by-product.

## The Calvin cycle

The Calvin cycle takes place in the stroma of the chloroplast. The enzyme Rubisco fixes carbon dioxide in the first step of the Calvin cycle to build glucose.
`;

const OPEN_MD = `# Volcanoes

A volcano is an opening in the crust of the Earth through which magma, ash and gases escape. Magma that reaches the surface is called lava. Basaltic lava flows easily, while rhyolitic lava is thick and traps gas, which causes explosive eruptions.
`;

describe.each(stores('module_scope_e2e'))('module scope [$name]', ({ env }) => {
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let otherTeacher: Account;
  let student: Account;
  let outsider: Account;
  let course: Course;
  /** A module of `course`, by `teacher`, on photosynthesis. */
  let courseModule: Module;
  /** An open module, by `otherTeacher`, on volcanoes. */
  let openModule: Module;
  let courseResource: Resource;
  let openResource: Resource;

  const http = () => t.http;

  const staff = (role: 'instructor' | 'admin') => createStaff(http(), admin, role);

  async function createModule(by: Account, title: string, courseId?: string): Promise<Module> {
    return ok<Module>(
      http()
        .post('/api/admin/modules')
        .set(bearer(by))
        .send({ title, ...(courseId ? { course_id: courseId } : {}) }),
      201,
    );
  }

  async function addText(by: Account, moduleId: string, title: string, content: string): Promise<Resource> {
    return ok<Resource>(
      http().post(`/api/admin/modules/${moduleId}/resources`).set(bearer(by)).send({ title, content, format: 'markdown' }),
      201,
    );
  }

  async function visibleIds(by: Account, query: Record<string, string> = {}): Promise<string[]> {
    const page = await ok<Page<Module>>(
      http()
        .get('/api/modules')
        .query({ limit: 100, ...query })
        .set(bearer(by)),
    );
    return page.items.map((m) => m.id);
  }

  async function search(by: Account, q: string, moduleId?: string): Promise<request.Response> {
    return http()
      .get('/api/search')
      .query({ q, k: 20, ...(moduleId ? { module_id: moduleId } : {}) })
      .set(bearer(by));
  }

  async function audit(action: string, targetId: string): Promise<AuditEntry[]> {
    const page = await ok<Page<AuditEntry>>(http().get('/api/admin/audit').query({ action, limit: 100 }).set(bearer(admin)));
    return page.items.filter((e) => e.target_id === targetId);
  }

  async function gradeOn(by: Account, moduleId: string | undefined): Promise<Grade> {
    return ok<Grade>(
      http()
        .post('/api/evaluation/grade')
        .set(bearer(by))
        .send({
          question: 'What does chlorophyll absorb?',
          student_answer: 'Red and blue light.',
          reference_answer: 'Mostly red and blue light.',
          ...(moduleId ? { module_id: moduleId } : {}),
        }),
    );
  }

  async function evaluationLog(by: Account, query: Record<string, string> = {}): Promise<Grade[]> {
    return (
      await ok<Page<Grade>>(
        http()
          .get('/api/admin/evaluations')
          .query({ limit: 100, ...query })
          .set(bearer(by)),
      )
    ).items;
  }

  beforeAll(async () => {
    t = await startTestApp({ env });
    admin = await loginAdmin(http());
    teacher = await staff('instructor');
    otherTeacher = await staff('instructor');
    student = await register(http());
    outsider = await register(http());
    course = await ok<Course>(http().post('/api/admin/courses').set(bearer(teacher)).send({ title: 'Biology' }), 201);
    await ok(http().post('/api/courses/join').set(bearer(student)).send({ code: course.join_code }));
    courseModule = await createModule(teacher, 'Photosynthesis', course.id);
    courseResource = await addText(teacher, courseModule.id, 'Photosynthesis', COURSE_MD);
    openModule = await createModule(otherTeacher, 'Volcanoes');
    openResource = await addText(otherTeacher, openModule.id, 'Volcanoes', OPEN_MD);
  });

  afterAll(async () => {
    await t.close();
    if (env.MONGODB_URI) await dropMongoDatabase(env.MONGODB_URI);
  });

  describe('creating modules', () => {
    it('should give a module its course and owner, and count it on the course', async () => {
      expect(courseModule).toMatchObject({ course_id: course.id, owner_id: teacher.id });
      expect(openModule).toMatchObject({ course_id: null, owner_id: otherTeacher.id });
      assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(student)))).module_count, 1);
      const created = await audit('module.create', courseModule.id);
      assert.equal(created.length, 1);
      assert.equal(created[0]?.details.course_id, course.id);
    });

    it("should let only the course's instructors and admins add modules to it (unknown course 404)", async () => {
      await fails(
        http().post('/api/admin/modules').set(bearer(otherTeacher)).send({ title: 'Intruder', course_id: course.id }),
        403,
        'forbidden',
      );
      await fails(http().post('/api/admin/modules').set(bearer(student)).send({ title: 'Mine', course_id: course.id }), 403, 'forbidden');
      await fails(http().post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Lost', course_id: UNKNOWN_ID }), 404, 'not_found');
      await fails(
        http().post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Bad', course_id: 'nope' }),
        400,
        'validation_failed',
      );
      const byAdmin = await createModule(admin, 'Cell biology', course.id);
      expect(byAdmin).toMatchObject({ course_id: course.id, owner_id: admin.id });
      assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(teacher)))).module_count, 2);
      await ok(http().delete(`/api/admin/modules/${byAdmin.id}`).set(bearer(teacher)), 204);
    });
  });

  describe('seeing modules', () => {
    it('should list the open modules and those of the caller’s courses (admins: all)', async () => {
      const forStudent = await visibleIds(student);
      assert.ok(forStudent.includes(courseModule.id) && forStudent.includes(openModule.id));
      const forTeacher = await visibleIds(teacher);
      assert.ok(forTeacher.includes(courseModule.id) && forTeacher.includes(openModule.id));
      const forAdmin = await visibleIds(admin);
      assert.ok(forAdmin.includes(courseModule.id) && forAdmin.includes(openModule.id));
      for (const stranger of [outsider, otherTeacher]) {
        const ids = await visibleIds(stranger);
        assert.ok(ids.includes(openModule.id));
        assert.ok(!ids.includes(courseModule.id), 'a course module is invisible outside its course');
      }
    });

    it('should narrow the list to one course with course_id, 404 for a course that is not the caller’s', async () => {
      assert.deepEqual(await visibleIds(student, { course_id: course.id }), [courseModule.id]);
      assert.deepEqual(await visibleIds(admin, { course_id: course.id }), [courseModule.id]);
      await fails(http().get('/api/modules').query({ course_id: course.id }).set(bearer(outsider)), 404, 'not_found');
      await fails(http().get('/api/modules').query({ course_id: course.id }).set(bearer(otherTeacher)), 404, 'not_found');
      await fails(http().get('/api/modules').query({ course_id: UNKNOWN_ID }).set(bearer(admin)), 404, 'not_found');
    });

    it('should answer 404 for a module or its resources to those outside its course, as for a missing one', async () => {
      for (const member of [student, teacher, admin]) {
        assert.equal((await ok<Module>(http().get(`/api/modules/${courseModule.id}`).set(bearer(member)))).id, courseModule.id);
        const resources = await ok<Page<Resource>>(http().get(`/api/modules/${courseModule.id}/resources`).set(bearer(member)));
        assert.deepEqual(
          resources.items.map((r) => r.id),
          [courseResource.id],
        );
      }
      for (const stranger of [outsider, otherTeacher]) {
        const hidden = await http().get(`/api/modules/${courseModule.id}`).set(bearer(stranger));
        const missing = await http().get(`/api/modules/${UNKNOWN_ID}`).set(bearer(stranger));
        assert.equal(hidden.status, 404);
        assert.equal(errorCode(hidden), 'not_found');
        assert.equal(hidden.body.error.message, missing.body.error.message, 'a hidden module reads exactly like a missing one');
        await fails(http().get(`/api/modules/${courseModule.id}/resources`).set(bearer(stranger)), 404, 'not_found');
      }
    });
  });

  describe('managing modules', () => {
    it('should let the course’s instructors and admins change a course module; others 404 or 403', async () => {
      await fails(
        http().patch(`/api/admin/modules/${courseModule.id}`).set(bearer(otherTeacher)).send({ title: 'Mine' }),
        404,
        'not_found',
      );
      await fails(http().patch(`/api/admin/modules/${courseModule.id}`).set(bearer(student)).send({ title: 'Mine' }), 403, 'forbidden');
      const renamed = await ok<Module>(
        http().patch(`/api/admin/modules/${courseModule.id}`).set(bearer(teacher)).send({ description: 'Light into sugar.' }),
      );
      assert.equal(renamed.description, 'Light into sugar.');
      await ok(http().patch(`/api/admin/modules/${courseModule.id}`).set(bearer(admin)).send({ title: 'Photosynthesis' }));
      const updates = await audit('module.update', courseModule.id);
      assert.deepEqual(updates.map((e) => e.actor_id).sort(), [admin.id, teacher.id].sort());
    });

    it('should let only the owner of an open module and admins change it (403 to other instructors)', async () => {
      await fails(http().patch(`/api/admin/modules/${openModule.id}`).set(bearer(teacher)).send({ title: 'Mine' }), 403, 'forbidden');
      await fails(http().delete(`/api/admin/modules/${openModule.id}`).set(bearer(teacher)), 403, 'forbidden');
      await fails(
        http()
          .post(`/api/admin/modules/${openModule.id}/resources`)
          .set(bearer(teacher))
          .send({ title: 'x', content: 'Lava.', format: 'text' }),
        403,
        'forbidden',
      );
      await fails(http().delete(`/api/admin/resources/${openResource.id}`).set(bearer(teacher)), 403, 'forbidden');
      await ok(http().patch(`/api/admin/modules/${openModule.id}`).set(bearer(otherTeacher)).send({ title: 'Volcanoes' }));
      await ok(http().patch(`/api/admin/modules/${openModule.id}`).set(bearer(admin)).send({ title: 'Volcanoes' }));
      // Nothing changed for the refused attempts.
      assert.equal((await ok<Module>(http().get(`/api/modules/${openModule.id}`).set(bearer(outsider)))).resource_count, 1);
    });

    it('should hide the resources of a course module from other instructors (404) and let its instructor remove one', async () => {
      await fails(http().delete(`/api/admin/resources/${courseResource.id}`).set(bearer(otherTeacher)), 404, 'not_found');
      const extra = await addText(teacher, courseModule.id, 'Leaves', '# Leaves\n\nLeaves hold most of the chloroplasts of a plant.');
      await ok(http().delete(`/api/admin/resources/${extra.id}`).set(bearer(teacher)), 204);
      assert.equal((await audit('resource.delete', extra.id)).length, 1);
    });
  });

  describe('search and chat', () => {
    it('should search only what the caller can see, and 404 a module_id they cannot', async () => {
      const forStudent = await ok<{ results: Passage[] }>(search(student, 'chlorophyll light'));
      assert.ok(forStudent.results.some((p) => p.module_id === courseModule.id));
      for (const stranger of [outsider, otherTeacher]) {
        const found = await ok<{ results: Passage[] }>(search(stranger, 'chlorophyll light'));
        assert.ok(
          found.results.every((p) => p.module_id !== courseModule.id),
          'nothing of a course the caller is not in',
        );
        await fails(search(stranger, 'chlorophyll', courseModule.id), 404, 'not_found');
      }
      const inModule = await ok<{ results: Passage[] }>(search(student, 'chlorophyll', courseModule.id));
      assert.ok(inModule.results.length > 0 && inModule.results.every((p) => p.module_id === courseModule.id));
      assert.ok(
        (await ok<{ results: Passage[] }>(search(admin, 'chlorophyll light'))).results.some((p) => p.module_id === courseModule.id),
      );
    });

    it('should refuse a chat on a module the caller cannot see (404), and retrieve only visible passages without one', async () => {
      await fails(
        http().post('/api/chat').set(bearer(outsider)).send({ message: 'What does chlorophyll absorb?', module_id: courseModule.id }),
        404,
        'not_found',
      );
      await fails(
        http()
          .post('/api/chat/stream')
          .set(bearer(otherTeacher))
          .send({ message: 'What does chlorophyll absorb?', module_id: courseModule.id }),
        404,
        'not_found',
      );
      const inCourse = await ok<{ sources: Passage[] }>(
        http().post('/api/chat').set(bearer(student)).send({ message: 'What does chlorophyll absorb?', module_id: courseModule.id }),
      );
      assert.ok(inCourse.sources.length > 0 && inCourse.sources.every((p) => p.module_id === courseModule.id));
      const outside = await ok<{ sources: Passage[] }>(
        http().post('/api/chat').set(bearer(outsider)).send({ message: 'What does chlorophyll absorb?' }),
      );
      assert.ok(
        outside.sources.every((p) => p.module_id !== courseModule.id),
        'the tutor never cites a course the learner is not in',
      );
      const conversation = await ok<{ conversation_id: string }>(
        http().post('/api/chat').set(bearer(outsider)).send({ message: 'Tell me about lava.' }),
      );
      await fails(
        http()
          .post('/api/chat')
          .set(bearer(outsider))
          .send({ message: 'And chlorophyll?', conversation_id: conversation.conversation_id, module_id: courseModule.id }),
        404,
        'not_found',
      );
    });
  });

  it('should stop a conversation on a course module once the learner leaves the course, storing nothing', async () => {
    const leaver = await register(http());
    await ok(http().post('/api/courses/join').set(bearer(leaver)).send({ code: course.join_code }));
    const first = await ok<{ conversation_id: string }>(
      http().post('/api/chat').set(bearer(leaver)).send({ message: 'What does chlorophyll absorb?', module_id: courseModule.id }),
    );
    await ok(http().delete(`/api/admin/courses/${course.id}/students/${leaver.id}`).set(bearer(teacher)), 204);
    await fails(
      http().post('/api/chat').set(bearer(leaver)).send({ message: 'And the Calvin cycle?', conversation_id: first.conversation_id }),
      404,
      'not_found',
    );
    const conversation = await ok<{ message_count: number }>(
      http().get(`/api/chat/conversations/${first.conversation_id}`).set(bearer(leaver)),
    );
    assert.equal(conversation.message_count, 2, 'the refused question was not stored');
  });

  describe('question generation', () => {
    it('should refuse generation on a module the caller cannot see (404), and use only visible material for a topic', async () => {
      await fails(
        http().post('/api/evaluation/generate-questions').set(bearer(outsider)).send({ module_id: courseModule.id, count: 2 }),
        404,
        'not_found',
      );
      const outside = await ok<{ questions: Question[]; warnings?: string[] }>(
        http().post('/api/evaluation/generate-questions').set(bearer(outsider)).send({ topic: 'chlorophyll in photosynthesis', count: 2 }),
      );
      assert.equal(outside.questions.length, 0, 'no questions from a course the learner is not in');
      assert.ok((outside.warnings ?? []).length > 0);
      const inCourse = await ok<{ questions: Question[] }>(
        http().post('/api/evaluation/generate-questions').set(bearer(student)).send({ topic: 'chlorophyll in photosynthesis', count: 2 }),
      );
      assert.ok(inCourse.questions.length > 0);
      const onModule = await ok<{ questions: Question[] }>(
        http().post('/api/evaluation/generate-questions').set(bearer(student)).send({ module_id: courseModule.id, count: 1 }),
      );
      assert.ok(onModule.questions.length > 0);
      assert.ok(onModule.questions.every((q) => q.sources.every((p) => p.module_id === courseModule.id)));
    });
  });

  describe('evaluation log', () => {
    it("should show an instructor the grades of their courses' students and of their modules only (admins: all)", async () => {
      const studentOnCourse = await gradeOn(student, courseModule.id);
      const studentOnOpen = await gradeOn(student, openModule.id);
      const studentFree = await gradeOn(student, undefined);
      const outsiderOnOpen = await gradeOn(outsider, openModule.id);
      const outsiderFree = await gradeOn(outsider, undefined);
      await fails(
        http()
          .post('/api/evaluation/grade')
          .set(bearer(outsider))
          .send({ question: 'q?', student_answer: 'a', reference_answer: 'a', module_id: courseModule.id }),
        404,
        'not_found',
      );

      const ids = (grades: Grade[]) => new Set(grades.map((g) => g.id));
      const forTeacher = ids(await evaluationLog(teacher));
      // The course's student: every grade of theirs; nobody else's outside the teacher's modules.
      for (const g of [studentOnCourse, studentOnOpen, studentFree]) assert.ok(forTeacher.has(g.id));
      for (const g of [outsiderOnOpen, outsiderFree]) assert.ok(!forTeacher.has(g.id));

      const forOther = ids(await evaluationLog(otherTeacher));
      // The open module is theirs: its grades, whoever wrote them; nothing else.
      for (const g of [studentOnOpen, outsiderOnOpen]) assert.ok(forOther.has(g.id));
      for (const g of [studentOnCourse, studentFree, outsiderFree]) assert.ok(!forOther.has(g.id));

      const forAdmin = ids(await evaluationLog(admin));
      for (const g of [studentOnCourse, studentOnOpen, studentFree, outsiderOnOpen, outsiderFree]) assert.ok(forAdmin.has(g.id));
      // Filters apply within the reach.
      assert.deepEqual(
        (await evaluationLog(otherTeacher, { user_id: student.id })).map((g) => g.id),
        [studentOnOpen.id],
      );
      await fails(http().get('/api/admin/evaluations').set(bearer(student)), 403, 'forbidden');
    });

    it('should let an instructor review only the grades in their reach (others 404, nothing changed)', async () => {
      const graded = await gradeOn(student, courseModule.id);
      await fails(http().patch(`/api/admin/evaluations/${graded.id}`).set(bearer(otherTeacher)).send({ score: 1 }), 404, 'not_found');
      assert.equal((await audit('grade.review', graded.id)).length, 0);
      const reviewed = await ok<Grade>(http().patch(`/api/admin/evaluations/${graded.id}`).set(bearer(teacher)).send({ score: 7 }));
      assert.equal(reviewed.score, 7);
      const byAdmin = await ok<Grade>(http().patch(`/api/admin/evaluations/${graded.id}`).set(bearer(admin)).send({ score: 8 }));
      assert.equal(byAdmin.score, 8);
      assert.equal((await audit('grade.review', graded.id)).length, 2);
    });
  });

  describe('deleting a course', () => {
    it('should delete its modules, their resources (out of the index) and their questions, with audit entries', async () => {
      const doomed = await ok<Course>(http().post('/api/admin/courses').set(bearer(teacher)).send({ title: 'Geology' }), 201);
      await ok(http().post(`/api/admin/courses/${doomed.id}/students`).set(bearer(teacher)).send({ user_id: student.id }), 201);
      const rocks = await createModule(teacher, 'Rocks', doomed.id);
      const resource = await addText(
        teacher,
        rocks.id,
        'Rocks',
        '# Rocks\n\nGranite is an igneous rock made of quartz, feldspar and mica. Obsidian is a volcanic glass that forms when lava cools very quickly.',
      );
      assert.equal(resource.status, 'indexed');
      const generated = await ok<{ questions: Question[] }>(
        http()
          .post('/api/evaluation/generate-questions')
          .set(bearer(student))
          .send({ module_id: rocks.id, count: 1, types: ['short_answer'] }),
      );
      const question = generated.questions[0]!;
      assert.ok((await ok<{ results: Passage[] }>(search(student, 'granite quartz feldspar', rocks.id))).results.length > 0);

      await fails(http().delete(`/api/admin/courses/${doomed.id}`).set(bearer(otherTeacher)), 403, 'forbidden');
      await ok(http().delete(`/api/admin/courses/${doomed.id}`).set(bearer(teacher)), 204);

      await fails(http().get(`/api/modules/${rocks.id}`).set(bearer(admin)), 404, 'not_found');
      await fails(http().get(`/api/modules/${rocks.id}/resources`).set(bearer(admin)), 404, 'not_found');
      await fails(http().delete(`/api/admin/resources/${resource.id}`).set(bearer(admin)), 404, 'not_found');
      const afterwards = await ok<{ results: Passage[] }>(search(admin, 'granite quartz feldspar obsidian'));
      assert.ok(
        afterwards.results.every((p) => p.resource_id !== resource.id),
        'its chunks left the index',
      );
      await fails(
        http().post('/api/evaluation/grade').set(bearer(student)).send({ question_id: question.id, student_answer: 'Quartz.' }),
        404,
        'not_found',
      );
      const moduleDeletions = await audit('module.delete', rocks.id);
      assert.equal(moduleDeletions.length, 1);
      assert.equal(moduleDeletions[0]?.details.course_id, doomed.id);
      assert.equal((await audit('course.delete', doomed.id))[0]?.details.modules, 1);
      // The other course keeps its module.
      assert.equal((await ok<Module>(http().get(`/api/modules/${courseModule.id}`).set(bearer(student)))).id, courseModule.id);
    });
  });
});
