import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createStaff, fails, ok, stores } from '../support/answers';
import { dropMongoDatabase } from '../support/mongo';
import { Account, bearer, loginAdmin, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

/** Courses and enrollment (API.md, Courses) through the booted app, for each role. */

type Course = {
  id: string;
  title: string;
  description: string;
  join_code: string | null;
  instructor_ids: string[];
  module_count: number;
  student_count: number;
  created_at: string;
  updated_at: string;
};
type Page<T> = { items: T[]; next_cursor: string | null };
type AuditEntry = { actor_id: string; action: string; target_type: string; target_id: string | null; details: Record<string, unknown> };

const UNKNOWN_ID = 'c'.repeat(24);

describe.each(stores('courses_e2e'))('courses [$name]', ({ env }) => {
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let otherTeacher: Account;
  let coTeacher: Account;
  let student: Account;
  let outsider: Account;

  const http = () => t.http;

  const staff = (role: 'instructor' | 'admin') => createStaff(http(), admin, role);

  async function createCourse(by: Account, title = 'Python for beginners'): Promise<Course> {
    return ok<Course>(http().post('/api/admin/courses').set(bearer(by)).send({ title, description: 'Autumn term' }), 201);
  }

  async function audit(action: string, targetId: string): Promise<AuditEntry[]> {
    const page = await ok<Page<AuditEntry>>(http().get('/api/admin/audit').query({ action, limit: 100 }).set(bearer(admin)));
    return page.items.filter((e) => e.target_id === targetId);
  }

  beforeAll(async () => {
    t = await startTestApp({ env });
    admin = await loginAdmin(http());
    teacher = await staff('instructor');
    otherTeacher = await staff('instructor');
    coTeacher = await staff('instructor');
    student = await register(http());
    outsider = await register(http());
  });

  afterAll(async () => {
    await t.close();
    if (env.MONGODB_URI) await dropMongoDatabase(env.MONGODB_URI);
  });

  it('should make the creating instructor the first instructor, with a join code only staff see', async () => {
    const course = await createCourse(teacher);
    assert.match(course.id, /^[0-9a-f]{24}$/);
    expect(course).toMatchObject({
      title: 'Python for beginners',
      description: 'Autumn term',
      instructor_ids: [teacher.id],
      student_count: 0,
    });
    assert.match(course.join_code ?? '', /^[A-Z0-9]{8,12}$/);

    const joined = await ok<Course>(http().post('/api/courses/join').set(bearer(student)).send({ code: course.join_code }));
    assert.equal(joined.id, course.id);
    assert.equal(joined.join_code, null, 'a student never sees the join code');
    assert.equal(joined.student_count, 1);

    const asTeacher = await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(teacher)));
    assert.equal(asTeacher.join_code, course.join_code);
    assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(admin)))).join_code, course.join_code);
    assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(student)))).join_code, null);
    assert.equal((await audit('course.create', course.id)).length, 1);
    const joins = await audit('course.join', course.id);
    assert.equal(joins.length, 1);
    assert.equal(joins[0]?.actor_id, student.id);
  });

  it('should refuse course creation to students and bad bodies', async () => {
    await fails(http().post('/api/admin/courses').set(bearer(student)).send({ title: 'Mine' }), 403, 'forbidden');
    await fails(http().post('/api/admin/courses').set(bearer(teacher)).send({ title: '' }), 400, 'validation_failed');
    await fails(http().post('/api/admin/courses').set(bearer(teacher)).send({ title: 'x', join_code: 'ABC' }), 400, 'validation_failed');
    await fails(http().post('/api/admin/courses').send({ title: 'x' }), 401, 'unauthorized');
  });

  it('should show a course to its members and admins only (404 to anyone else)', async () => {
    const course = await createCourse(teacher);
    await fails(http().get(`/api/courses/${course.id}`).set(bearer(outsider)), 404, 'not_found');
    await fails(http().get(`/api/courses/${course.id}`).set(bearer(otherTeacher)), 404, 'not_found');
    await fails(http().get(`/api/courses/${UNKNOWN_ID}`).set(bearer(admin)), 404, 'not_found');
    const malformed = await http().get('/api/courses/not-an-id').set(bearer(admin));
    assert.ok(malformed.status === 400 || malformed.status === 404, String(malformed.status));
  });

  it("should list a student's courses, an instructor's own and every course for an admin, page by page", async () => {
    const mine = [await createCourse(coTeacher, 'A'), await createCourse(coTeacher, 'B'), await createCourse(coTeacher, 'C')];
    const pupil = await register(http());
    for (const course of mine.slice(0, 2)) await ok(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }));

    const first = await ok<Page<Course>>(http().get('/api/courses').query({ limit: 1 }).set(bearer(pupil)));
    assert.equal(first.items.length, 1);
    assert.ok(first.next_cursor);
    const second = await ok<Page<Course>>(http().get('/api/courses').query({ limit: 1, cursor: first.next_cursor }).set(bearer(pupil)));
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(mine.slice(0, 2).map((c) => c.id));
    assert.equal(second.next_cursor, null);

    const own = await ok<Page<Course>>(http().get('/api/courses').query({ limit: 100 }).set(bearer(coTeacher)));
    expect(own.items.map((c) => c.id)).toEqual(mine.map((c) => c.id));
    const others = await ok<Page<Course>>(http().get('/api/courses').query({ limit: 100 }).set(bearer(otherTeacher)));
    assert.ok(others.items.every((c) => !mine.some((m) => m.id === c.id)));
    const all = await ok<Page<Course>>(http().get('/api/courses').query({ limit: 100 }).set(bearer(admin)));
    for (const course of mine) assert.ok(all.items.some((c) => c.id === course.id));
    const none = await ok<Page<Course>>(
      http()
        .get('/api/courses')
        .set(bearer(await register(http()))),
    );
    expect(none).toEqual({ items: [], next_cursor: null });
    await fails(http().get('/api/courses').query({ cursor: 'forged' }).set(bearer(pupil)), 400, 'validation_failed');
  });

  it('should let its instructors and admins update it, and refuse other instructors and students', async () => {
    const course = await createCourse(teacher);
    const renamed = await ok<Course>(http().patch(`/api/admin/courses/${course.id}`).set(bearer(teacher)).send({ title: 'Python II' }));
    expect(renamed).toMatchObject({ title: 'Python II', description: 'Autumn term' });
    await ok(http().patch(`/api/admin/courses/${course.id}`).set(bearer(admin)).send({ description: 'Spring' }));
    await fails(http().patch(`/api/admin/courses/${course.id}`).set(bearer(otherTeacher)).send({ title: 'Mine now' }), 403, 'forbidden');
    await fails(http().patch(`/api/admin/courses/${course.id}`).set(bearer(student)).send({ title: 'Mine now' }), 403, 'forbidden');
    await fails(http().patch(`/api/admin/courses/${UNKNOWN_ID}`).set(bearer(admin)).send({ title: 'x' }), 404, 'not_found');
    await fails(http().patch(`/api/admin/courses/${course.id}`).set(bearer(teacher)).send({ title: 42 }), 400, 'validation_failed');
    const stored = await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(teacher)));
    expect(stored).toMatchObject({ title: 'Python II', description: 'Spring' });
    assert.equal((await audit('course.update', course.id)).length, 2);
  });

  it('should void the old join code when a new one is made', async () => {
    const course = await createCourse(teacher);
    await fails(http().post(`/api/admin/courses/${course.id}/code`).set(bearer(otherTeacher)), 403, 'forbidden');
    const rotated = await ok<Course>(http().post(`/api/admin/courses/${course.id}/code`).set(bearer(teacher)));
    assert.ok(rotated.join_code);
    assert.notEqual(rotated.join_code, course.join_code);
    const pupil = await register(http());
    await fails(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }), 404, 'not_found');
    // Typed by a person: case and dashes do not matter.
    const code = rotated.join_code.toLowerCase().replace(/^(.{4})/, '$1-');
    assert.equal((await ok<Course>(http().post('/api/courses/join').set(bearer(pupil)).send({ code }))).id, course.id);
    const entries = await audit('course.code_rotate', course.id);
    assert.equal(entries.length, 1);
    assert.ok(!JSON.stringify(entries).includes(rotated.join_code), 'the audit log does not reveal the code');
  });

  it('should answer 404 to an unknown code, refuse staff joining by code, and enroll once however often a student joins', async () => {
    const course = await createCourse(teacher);
    await fails(http().post('/api/courses/join').set(bearer(outsider)).send({ code: 'NOSUCHCODE' }), 404, 'not_found');
    await fails(http().post('/api/courses/join').set(bearer(outsider)).send({}), 400, 'validation_failed');
    await fails(http().post('/api/courses/join').set(bearer(otherTeacher)).send({ code: course.join_code }), 403, 'forbidden');
    const pupil = await register(http());
    const answers = await Promise.all(
      [1, 2, 3].map(() => http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code })),
    );
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(teacher)))).student_count, 1);
    assert.equal((await audit('course.join', course.id)).length, 1);
  });

  it('should enroll by id or by email (201, then 200), and refuse what is not a student', async () => {
    const course = await createCourse(teacher);
    const pupil = await register(http());
    const byId = await http().post(`/api/admin/courses/${course.id}/students`).set(bearer(teacher)).send({ user_id: pupil.id });
    assert.equal(byId.status, 201, JSON.stringify(byId.body));
    expect(byId.body.data).toMatchObject({ course_id: course.id, user: { id: pupil.id, email: pupil.email } });
    const again = await http()
      .post(`/api/admin/courses/${course.id}/students`)
      .set(bearer(admin))
      .send({ email: ` ${pupil.email.toUpperCase()} ` });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.data.enrolled_at, byId.body.data.enrolled_at);

    const second = await register(http());
    await ok(http().post(`/api/admin/courses/${course.id}/students`).set(bearer(teacher)).send({ email: second.email }), 201);
    assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(second)))).id, course.id);

    const url = `/api/admin/courses/${course.id}/students`;
    await fails(http().post(url).set(bearer(otherTeacher)).send({ user_id: outsider.id }), 403, 'forbidden');
    await fails(http().post(url).set(bearer(student)).send({ user_id: outsider.id }), 403, 'forbidden');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: UNKNOWN_ID }), 404, 'not_found');
    await fails(
      http()
        .post(url)
        .set(bearer(teacher))
        .send({ email: uniqueEmail('nobody') }),
      404,
      'not_found',
    );
    await fails(http().post(url).set(bearer(teacher)).send({}), 400, 'validation_failed');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: pupil.id, email: pupil.email }), 400, 'validation_failed');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: 'nope' }), 400, 'validation_failed');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: otherTeacher.id }), 409, 'conflict');
    await fails(http().post(`/api/admin/courses/${UNKNOWN_ID}/students`).set(bearer(admin)).send({ user_id: pupil.id }), 404, 'not_found');
    assert.equal((await audit('course.student_enroll', course.id)).length, 2);
  });

  it("should list a course's students with their progress to its instructors and admins only", async () => {
    const course = await createCourse(teacher);
    const pupil = await register(http(), { display_name: 'Ada' });
    await ok(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }));
    const page = await ok<Page<Record<string, unknown>>>(http().get(`/api/admin/courses/${course.id}/students`).set(bearer(teacher)));
    assert.equal(page.items.length, 1);
    expect(page.items[0]).toMatchObject({
      user: { id: pupil.id, display_name: 'Ada', role: 'student' },
      progress: { attempts: 0, average_percentage: 0, mastery: 0, due_reviews: 0, last_attempt_at: null },
    });
    assert.equal(typeof page.items[0]?.enrolled_at, 'string');
    assert.ok(!JSON.stringify(page).includes('password'));
    await ok(http().get(`/api/admin/courses/${course.id}/students`).set(bearer(admin)));
    await fails(http().get(`/api/admin/courses/${course.id}/students`).set(bearer(otherTeacher)), 403, 'forbidden');
    await fails(http().get(`/api/admin/courses/${course.id}/students`).set(bearer(pupil)), 403, 'forbidden');
  });

  it('should remove a student: the course is no longer theirs', async () => {
    const course = await createCourse(teacher);
    const pupil = await register(http());
    await ok(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }));
    await fails(http().delete(`/api/admin/courses/${course.id}/students/${pupil.id}`).set(bearer(otherTeacher)), 403, 'forbidden');
    const removed = await http().delete(`/api/admin/courses/${course.id}/students/${pupil.id}`).set(bearer(teacher));
    assert.equal(removed.status, 204);
    assert.equal(removed.text, '');
    await fails(http().get(`/api/courses/${course.id}`).set(bearer(pupil)), 404, 'not_found');
    expect((await ok<Page<Course>>(http().get('/api/courses').set(bearer(pupil)))).items).toEqual([]);
    await fails(http().delete(`/api/admin/courses/${course.id}/students/${pupil.id}`).set(bearer(teacher)), 404, 'not_found');
    assert.equal((await audit('course.student_remove', course.id)).length, 1);
  });

  it('should add co-instructors and keep the last one', async () => {
    const course = await createCourse(teacher);
    const url = `/api/admin/courses/${course.id}/instructors`;
    await fails(http().post(url).set(bearer(otherTeacher)).send({ user_id: otherTeacher.id }), 403, 'forbidden');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: student.id }), 409, 'conflict');
    await fails(http().post(url).set(bearer(teacher)).send({ user_id: UNKNOWN_ID }), 404, 'not_found');
    await fails(http().post(url).set(bearer(teacher)).send({}), 400, 'validation_failed');

    const added = await ok<Course>(http().post(url).set(bearer(teacher)).send({ user_id: coTeacher.id }));
    expect(added.instructor_ids).toEqual([teacher.id, coTeacher.id]);
    expect((await ok<Course>(http().post(url).set(bearer(teacher)).send({ user_id: coTeacher.id }))).instructor_ids).toEqual([
      teacher.id,
      coTeacher.id,
    ]);
    // The co-instructor manages it now and has it among their courses.
    await ok(http().patch(`/api/admin/courses/${course.id}`).set(bearer(coTeacher)).send({ title: 'Shared' }));
    assert.ok(
      (await ok<Page<Course>>(http().get('/api/courses').query({ limit: 100 }).set(bearer(coTeacher)))).items.some(
        (c) => c.id === course.id,
      ),
    );

    const left = await ok<Course>(http().delete(`${url}/${teacher.id}`).set(bearer(coTeacher)));
    expect(left.instructor_ids).toEqual([coTeacher.id]);
    await fails(http().patch(`/api/admin/courses/${course.id}`).set(bearer(teacher)).send({ title: 'Back' }), 403, 'forbidden');
    await fails(http().delete(`${url}/${coTeacher.id}`).set(bearer(coTeacher)), 409, 'conflict');
    await fails(http().delete(`${url}/${coTeacher.id}`).set(bearer(admin)), 409, 'conflict');
    await fails(http().delete(`${url}/${teacher.id}`).set(bearer(admin)), 404, 'not_found');
    expect((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(admin)))).instructor_ids).toEqual([coTeacher.id]);

    // An admin may co-teach too.
    const withAdmin = await ok<Course>(http().post(url).set(bearer(admin)).send({ user_id: admin.id }));
    expect(withAdmin.instructor_ids).toEqual([coTeacher.id, admin.id]);
    assert.equal((await audit('course.instructor_add', course.id)).length, 2);
    assert.equal((await audit('course.instructor_remove', course.id)).length, 1);
  });

  it('should keep one instructor when two removals race', async () => {
    const course = await createCourse(teacher);
    const url = `/api/admin/courses/${course.id}/instructors`;
    await ok(http().post(url).set(bearer(teacher)).send({ user_id: coTeacher.id }));
    const [a, b] = await Promise.all([
      http().delete(`${url}/${teacher.id}`).set(bearer(admin)),
      http().delete(`${url}/${coTeacher.id}`).set(bearer(admin)),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    assert.equal((await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(admin)))).instructor_ids.length, 1);
  });

  it('should delete a course with its enrollments, for its instructors and admins only', async () => {
    const course = await createCourse(teacher);
    const pupil = await register(http());
    await ok(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }));
    await fails(http().delete(`/api/admin/courses/${course.id}`).set(bearer(otherTeacher)), 403, 'forbidden');
    await fails(http().delete(`/api/admin/courses/${course.id}`).set(bearer(pupil)), 403, 'forbidden');
    const deleted = await http().delete(`/api/admin/courses/${course.id}`).set(bearer(teacher));
    assert.equal(deleted.status, 204);
    await fails(http().get(`/api/courses/${course.id}`).set(bearer(admin)), 404, 'not_found');
    expect((await ok<Page<Course>>(http().get('/api/courses').set(bearer(pupil)))).items).toEqual([]);
    await fails(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }), 404, 'not_found');
    await fails(http().delete(`/api/admin/courses/${course.id}`).set(bearer(admin)), 404, 'not_found');

    const byAdmin = await createCourse(teacher);
    assert.equal((await http().delete(`/api/admin/courses/${byAdmin.id}`).set(bearer(admin))).status, 204);
    const entries = await audit('course.delete', course.id);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.actor_id, teacher.id);
  });

  it('should take a deleted account out of its courses', async () => {
    const course = await createCourse(teacher);
    const pupil = await register(http());
    await ok(http().post('/api/courses/join').set(bearer(pupil)).send({ code: course.join_code }));
    assert.equal((await http().delete(`/api/admin/users/${pupil.id}`).set(bearer(admin))).status, 204);
    const after = await ok<Course>(http().get(`/api/courses/${course.id}`).set(bearer(teacher)));
    assert.equal(after.student_count, 0);
  });
});
