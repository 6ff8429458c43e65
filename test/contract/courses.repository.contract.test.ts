import { afterAll, beforeAll, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { Course, CoursesRepository } from '../../src/courses/courses.repository';
import { EnrollmentsRepository } from '../../src/courses/enrollments.repository';
import { newJoinCode } from '../../src/courses/join-code';
import { DocumentStore, DuplicateKeyError } from '../../src/infrastructure/persistence/document-store';
import { describeEachStore } from '../support/stores';

function aCourse(overrides: Partial<Course> = {}): Course {
  const now = new Date();
  const instructor = newId();
  return {
    id: newId(),
    title: 'Python',
    description: '',
    instructorIds: [instructor],
    joinCode: newJoinCode(),
    revision: 0,
    createdBy: instructor,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describeEachStore('CoursesRepository and EnrollmentsRepository', (harness) => {
  let store: DocumentStore;
  let courses: CoursesRepository;
  let enrollments: EnrollmentsRepository;
  beforeAll(async () => {
    store = await harness().open();
    courses = new CoursesRepository(store);
    enrollments = new EnrollmentsRepository(store);
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should refuse a join code another course holds, and find a course by its current code only', async () => {
    const course = await courses.create(aCourse());
    await assert.rejects(courses.create(aCourse({ joinCode: course.joinCode })), (e: Error) => e instanceof DuplicateKeyError);
    const next = newJoinCode();
    await courses.replaceJoinCode(course.id, next, new Date());
    assert.equal(await courses.findByJoinCode(course.joinCode), null);
    assert.equal((await courses.findByJoinCode(next))?.id, course.id);
    const other = await courses.create(aCourse());
    await assert.rejects(courses.replaceJoinCode(other.id, next, new Date()), (e: Error) => e instanceof DuplicateKeyError);
  });

  it('should change the instructors only at the revision that was read', async () => {
    const course = await courses.create(aCourse());
    const co = newId();
    const updated = await courses.replaceInstructors(course.id, 0, [...course.instructorIds, co], new Date());
    assert.deepEqual(updated?.instructorIds, [...course.instructorIds, co]);
    assert.equal(updated?.revision, 1);
    assert.equal(await courses.replaceInstructors(course.id, 0, [co], new Date()), null, 'a stale revision changes nothing');
    assert.deepEqual(
      (await courses.list(undefined, 100, co)).map((c) => c.id),
      [course.id],
    );
    assert.equal(await courses.removeInstructorEverywhere(co), 1);
    assert.deepEqual((await courses.findById(course.id))?.instructorIds, course.instructorIds);
  });

  it('should enroll once, list both ways in id order and forget a course or a user', async () => {
    const course = await courses.create(aCourse());
    const other = await courses.create(aCourse());
    const userA = newId();
    const userB = newId();
    const first = await enrollments.enroll(course.id, userA, new Date());
    assert.equal(first.created, true);
    const [again, racing] = await Promise.all([
      enrollments.enroll(course.id, userA, new Date()),
      enrollments.enroll(course.id, userA, new Date()),
    ]);
    assert.equal(again.created || racing.created, false);
    assert.equal(again.enrollment.enrolledAt.getTime(), first.enrollment.enrolledAt.getTime());
    await enrollments.enroll(course.id, userB, new Date());
    await enrollments.enroll(other.id, userA, new Date());
    assert.equal(await enrollments.countForCourse(course.id), 2);
    const students = await enrollments.listForCourse(course.id, undefined, 1);
    assert.deepEqual(
      students.map((e) => e.userId),
      [userA, userB].sort(),
    );
    assert.deepEqual(
      (await enrollments.listForCourse(course.id, students[0]?.userId, 10)).map((e) => e.userId),
      [students[1]?.userId],
    );
    assert.deepEqual(
      (await enrollments.listForUser(userA, undefined, 10)).map((e) => e.courseId),
      [course.id, other.id].sort(),
    );
    assert.equal(await enrollments.removeCourse(course.id), 2);
    assert.equal(await enrollments.removeUser(userA), 1);
    assert.equal(await enrollments.find(other.id, userA), null);
    assert.equal(await enrollments.remove(other.id, userA), false);
  });
});
