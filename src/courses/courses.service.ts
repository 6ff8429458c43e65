import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { ContentService } from '../content/content.service';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { masteryOf } from '../evaluation/mastery';
import { ProgressRepository } from '../evaluation/progress.repository';
import { QuestionsRepository } from '../evaluation/questions.repository';
import { ReviewCardsRepository } from '../evaluation/review-cards.repository';
import { DuplicateKeyError } from '../infrastructure/persistence/document-store';
import { User, emailKeyOf } from '../users/user';
import { UsersRepository } from '../users/users.repository';
import { Course, CoursesRepository } from './courses.repository';
import { Enrollment, EnrollmentsRepository } from './enrollments.repository';
import { newJoinCode, normalizeJoinCode } from './join-code';

/** A course as its reader may see it: the counts, and whether the join code is theirs to see. */
export interface CourseView {
  course: Course;
  studentCount: number;
  moduleCount: number;
  showJoinCode: boolean;
}

export interface StudentProgress {
  attempts: number;
  averagePercentage: number;
  mastery: number;
  dueReviews: number;
  lastAttemptAt: Date | null;
}

export interface CourseStudent {
  user: User;
  enrolledAt: Date;
  progress: StudentProgress;
}

/** Retries of a join code that clashed with another course's (about 2^-49 each: a clash twice is a bug). */
const CODE_ATTEMPTS = 3;
/** Retries of an instructor change that lost a race with another one. */
const INSTRUCTOR_ATTEMPTS = 5;

@Injectable()
export class CoursesService {
  constructor(
    private readonly courses: CoursesRepository,
    private readonly enrollments: EnrollmentsRepository,
    private readonly users: UsersRepository,
    private readonly modules: CourseModulesRepository,
    private readonly content: ContentService,
    private readonly progress: ProgressRepository,
    private readonly reviewCards: ReviewCardsRepository,
    private readonly questions: QuestionsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // ---- reading ---------------------------------------------------------------------------------

  /** A student's enrolled courses, an instructor's own, every course for an admin. */
  async list(actor: Principal, afterId: string | undefined, limit: number): Promise<CourseView[]> {
    if (actor.role === 'student') {
      const rows = await this.enrollments.listForUser(actor.userId, afterId, limit);
      const byId = new Map((await this.courses.findByIds(rows.map((r) => r.courseId))).map((c) => [c.id, c]));
      // A course deleted between the two reads is skipped; the page position stays the enrollment's.
      const courses = rows.map((r) => byId.get(r.courseId)).filter((c): c is Course => c !== undefined);
      return Promise.all(courses.map((c) => this.view(actor, c)));
    }
    const rows = await this.courses.list(afterId, limit, actor.role === 'admin' ? undefined : actor.userId);
    return Promise.all(rows.map((c) => this.view(actor, c)));
  }

  /** Members and admins only; to anyone else the course does not exist. */
  async get(actor: Principal, id: string): Promise<CourseView> {
    const course = await this.courses.findById(id);
    if (!course || !(await this.isMember(actor, course))) throw ApiError.notFound('course');
    return this.view(actor, course);
  }

  async students(actor: Principal, id: string, afterUserId: string | undefined, limit: number): Promise<CourseStudent[]> {
    await this.managed(actor, id);
    const rows = await this.enrollments.listForCourse(id, afterUserId, limit);
    const moduleIds = (await this.modules.listByCourse(id)).map((m) => m.id);
    const students = await Promise.all(rows.map(async (row) => ({ row, user: await this.users.findById(row.userId) })));
    return Promise.all(
      students
        .filter((s): s is { row: Enrollment; user: User } => s.user !== null)
        .map(async ({ row, user }) => ({ user, enrolledAt: row.enrolledAt, progress: await this.progressOf(user.id, moduleIds) })),
    );
  }

  // ---- the course itself -----------------------------------------------------------------------

  /** The creator is the course's first instructor, so every course has one from the start. */
  async create(actor: Principal, input: { title: string; description?: string }): Promise<CourseView> {
    const now = this.clock.now();
    const course = await this.withFreshCode((joinCode) =>
      this.courses.create({
        id: newId(),
        title: input.title,
        description: input.description ?? '',
        instructorIds: [actor.userId],
        joinCode,
        revision: 0,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await this.audit.record(actor, 'course.create', { type: 'course', id: course.id }, { title: course.title });
    return this.view(actor, course);
  }

  async update(actor: Principal, id: string, patch: { title?: string; description?: string }): Promise<CourseView> {
    await this.managed(actor, id);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const updated =
      Object.keys(defined).length > 0 ? await this.courses.update(id, defined, this.clock.now()) : await this.courses.findById(id);
    if (!updated) throw ApiError.notFound('course');
    await this.audit.record(actor, 'course.update', { type: 'course', id }, defined);
    return this.view(actor, updated);
  }

  /**
   * The course goes first, so no module can be added to it meanwhile; then its modules with their
   * resources (leaving the index) and questions, each with its own audit entry, and its enrollments.
   */
  async delete(actor: Principal, id: string): Promise<void> {
    const course = await this.managed(actor, id);
    if (!(await this.courses.delete(id))) throw ApiError.notFound('course');
    const modules = await this.content.deleteCourseModules(actor, id);
    const enrollments = await this.enrollments.removeCourse(id);
    await this.audit.record(actor, 'course.delete', { type: 'course', id }, { title: course.title, modules, enrollments });
  }

  async rotateCode(actor: Principal, id: string): Promise<CourseView> {
    await this.managed(actor, id);
    const updated = await this.withFreshCode((joinCode) => this.courses.replaceJoinCode(id, joinCode, this.clock.now()));
    if (!updated) throw ApiError.notFound('course');
    // The code itself stays out of the log: whoever reads the audit must not be able to join with it.
    await this.audit.record(actor, 'course.code_rotate', { type: 'course', id });
    return this.view(actor, updated);
  }

  // ---- instructors -----------------------------------------------------------------------------

  async addInstructor(actor: Principal, id: string, userId: string): Promise<CourseView> {
    await this.managed(actor, id);
    const user = await this.users.findById(userId);
    if (!user) throw ApiError.notFound('user');
    if (user.role !== 'instructor' && user.role !== 'admin') throw ApiError.conflict('Only an instructor or an admin can teach a course.');
    const { course, changed } = await this.changeInstructors(id, (ids) => (ids.includes(userId) ? null : [...ids, userId]));
    if (changed) await this.audit.record(actor, 'course.instructor_add', { type: 'course', id }, { user_id: userId });
    return this.view(actor, course);
  }

  async removeInstructor(actor: Principal, id: string, userId: string): Promise<CourseView> {
    await this.managed(actor, id);
    const { course } = await this.changeInstructors(id, (ids) => {
      if (!ids.includes(userId)) throw ApiError.notFound('instructor of this course');
      if (ids.length === 1) throw ApiError.conflict('The last instructor of a course cannot be removed; add another one first.');
      return ids.filter((i) => i !== userId);
    });
    await this.audit.record(actor, 'course.instructor_remove', { type: 'course', id }, { user_id: userId });
    return this.view(actor, course);
  }

  // ---- students --------------------------------------------------------------------------------

  /** Enrollment by staff, naming the student by id or by email. */
  async enroll(
    actor: Principal,
    id: string,
    who: { userId?: string; email?: string },
  ): Promise<{ enrollment: Enrollment; user: User; created: boolean }> {
    if ((who.userId === undefined) === (who.email === undefined)) {
      throw ApiError.validation([{ field: 'user_id', message: 'give exactly one of user_id and email' }]);
    }
    await this.managed(actor, id);
    const user = who.userId ? await this.users.findById(who.userId) : await this.users.findByEmailKey(emailKeyOf(who.email ?? ''));
    if (!user) throw ApiError.notFound('user');
    if (user.role !== 'student') throw ApiError.conflict('Only a student can be enrolled; instructors are added as instructors.');
    const { enrollment, created } = await this.enrollments.enroll(id, user.id, this.clock.now());
    if (created) await this.audit.record(actor, 'course.student_enroll', { type: 'course', id }, { user_id: user.id });
    return { enrollment, user, created };
  }

  async removeStudent(actor: Principal, id: string, userId: string): Promise<void> {
    await this.managed(actor, id);
    if (!(await this.enrollments.remove(id, userId))) throw ApiError.notFound('student of this course');
    await this.audit.record(actor, 'course.student_remove', { type: 'course', id }, { user_id: userId });
  }

  /** A student enrolls themself with the course's current code; a voided or unknown code is 404. */
  async join(actor: Principal, typedCode: string): Promise<CourseView> {
    const course = await this.courses.findByJoinCode(normalizeJoinCode(typedCode));
    if (!course) throw ApiError.notFound('course with this join code');
    const { created } = await this.enrollments.enroll(course.id, actor.userId, this.clock.now());
    if (created) await this.audit.record(actor, 'course.join', { type: 'course', id: course.id }, { user_id: actor.userId });
    return this.view(actor, course);
  }

  /** A deleted account leaves every course it was in (user erasure). */
  async forgetUser(userId: string): Promise<void> {
    await this.enrollments.removeUser(userId);
    await this.courses.removeInstructorEverywhere(userId);
  }

  // ---- rules -----------------------------------------------------------------------------------

  /** The course, if the actor may change it: its instructors and admins (others 403, a missing course 404). */
  private async managed(actor: Principal, id: string): Promise<Course> {
    const course = await this.courses.findById(id);
    if (!course) throw ApiError.notFound('course');
    if (actor.role !== 'admin' && !course.instructorIds.includes(actor.userId)) {
      throw ApiError.forbidden('Only the instructors of this course and admins may change it.');
    }
    return course;
  }

  private async isMember(actor: Principal, course: Course): Promise<boolean> {
    if (actor.role === 'admin' || course.instructorIds.includes(actor.userId)) return true;
    return (await this.enrollments.find(course.id, actor.userId)) !== null;
  }

  private async view(actor: Principal, course: Course): Promise<CourseView> {
    return {
      course,
      studentCount: await this.enrollments.countForCourse(course.id),
      moduleCount: await this.modules.countByCourse(course.id),
      showJoinCode: actor.role === 'admin' || course.instructorIds.includes(actor.userId),
    };
  }

  /**
   * Applies `next` to the current instructor list (null: nothing to change) with a compare-and-set
   * on the course's revision, retried when another change got there first.
   */
  private async changeInstructors(id: string, next: (ids: string[]) => string[] | null): Promise<{ course: Course; changed: boolean }> {
    for (let attempt = 0; attempt < INSTRUCTOR_ATTEMPTS; attempt += 1) {
      const course = await this.courses.findById(id);
      if (!course) throw ApiError.notFound('course');
      const ids = next(course.instructorIds);
      if (ids === null) return { course, changed: false };
      const updated = await this.courses.replaceInstructors(id, course.revision, ids, this.clock.now());
      if (updated) return { course: updated, changed: true };
    }
    throw ApiError.conflict('The instructors of this course changed meanwhile; try again.');
  }

  private async withFreshCode<T>(write: (joinCode: string) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write(newJoinCode());
      } catch (error) {
        if (!(error instanceof DuplicateKeyError) || attempt >= CODE_ATTEMPTS) throw error;
      }
    }
  }

  /** The student's counted grades in this course's modules, and their reviews due now (the class view). */
  private async progressOf(userId: string, moduleIds: readonly string[]): Promise<StudentProgress> {
    const inCourse = new Set(moduleIds);
    const rows = (await this.progress.forUser(userId)).filter((r) => inCourse.has(r.moduleId));
    const attempts = rows.reduce((sum, r) => sum + r.attempts, 0);
    const percentSum = rows.reduce((sum, r) => sum + r.percentSum, 0);
    const weighted = rows.reduce((sum, r) => sum + r.weightedPercent, 0);
    const weight = rows.reduce((sum, r) => sum + r.weight, 0);
    const last = rows.reduce<Date | null>(
      (latest, r) => (r.lastAttemptAt && (!latest || r.lastAttemptAt > latest) ? r.lastAttemptAt : latest),
      null,
    );
    return {
      attempts,
      averagePercentage: attempts > 0 ? Math.round((percentSum / attempts) * 100) / 100 : 0,
      mastery: Math.round(masteryOf(weighted, weight) * 1000) / 1000,
      // As the review queue does, a card whose question is gone (left by a version that could keep
      // one after the question's deletion) is not counted.
      dueReviews: await this.questions.countExisting(await this.reviewCards.dueQuestionIds(userId, moduleIds, this.clock.now())),
      lastAttemptAt: last,
    };
  }
}
