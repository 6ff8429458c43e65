import { Injectable } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { CourseModule, CourseModulesRepository, ModuleScope } from '../content/course-modules.repository';
import { CoursesRepository } from './courses.repository';
import { EnrollmentsRepository } from './enrollments.repository';

/** Whoever asks: only the account and its role decide what they reach. */
export type Viewer = Pick<Principal, 'userId' | 'role'>;

/**
 * The one place that says who sees and who manages a module (API.md, "Courses"):
 * - sees: open modules, and the modules of the courses one is enrolled in or teaches; admins all;
 * - manages: a course module its course's instructors, an open module its owner; admins every one.
 * A module one cannot see answers 404 as if it did not exist; one seen but not managed, 403.
 */
@Injectable()
export class ModuleAccessService {
  constructor(
    private readonly modules: CourseModulesRepository,
    private readonly courses: CoursesRepository,
    private readonly enrollments: EnrollmentsRepository,
  ) {}

  /** The courses whose modules the viewer sees: those they are enrolled in and those they teach. */
  async courseIdsOf(viewer: Viewer): Promise<string[]> {
    const [enrolled, taught] = await Promise.all([this.enrollments.courseIdsOf(viewer.userId), this.courses.idsTaughtBy(viewer.userId)]);
    return [...new Set([...enrolled, ...taught])];
  }

  /**
   * The viewer's reach as a module-list filter, optionally narrowed to one course: a course that is
   * not theirs (or does not exist) is 404, as the course itself is to them.
   */
  async scopeOf(viewer: Viewer, courseId?: string): Promise<ModuleScope> {
    if (viewer.role === 'admin') {
      if (courseId !== undefined && !(await this.courses.findById(courseId))) throw ApiError.notFound('course');
      return { all: true, courseIds: [], courseId };
    }
    const courseIds = await this.courseIdsOf(viewer);
    if (courseId !== undefined && !courseIds.includes(courseId)) throw ApiError.notFound('course');
    return { all: false, courseIds, courseId };
  }

  /** The ids of every module the viewer sees, or undefined for "all of them" (admins): a search filter. */
  async visibleModuleIds(viewer: Viewer): Promise<string[] | undefined> {
    if (viewer.role === 'admin') return undefined;
    return this.modules.idsIn(await this.scopeOf(viewer));
  }

  async canSee(viewer: Viewer, module: CourseModule): Promise<boolean> {
    if (viewer.role === 'admin' || module.courseId === null) return true;
    const course = await this.courses.findById(module.courseId);
    if (!course) return false;
    return course.instructorIds.includes(viewer.userId) || (await this.enrollments.find(course.id, viewer.userId)) !== null;
  }

  async canManage(viewer: Viewer, module: CourseModule): Promise<boolean> {
    if (viewer.role === 'admin') return true;
    if (viewer.role !== 'instructor') return false;
    if (module.courseId === null) return module.ownerId === viewer.userId;
    const course = await this.courses.findById(module.courseId);
    return course?.instructorIds.includes(viewer.userId) ?? false;
  }

  /** The module, if the viewer sees it; else 404, the same answer as for a module that does not exist. */
  async findVisible(viewer: Viewer, moduleId: string): Promise<CourseModule> {
    const module = await this.modules.findById(moduleId);
    if (!module || !(await this.canSee(viewer, module))) throw ApiError.notFound('module');
    return module;
  }

  /** The module, if the viewer manages it; 404 if they cannot even see it, 403 if they see but do not manage it. */
  async findManaged(viewer: Viewer, moduleId: string): Promise<CourseModule> {
    const module = await this.findVisible(viewer, moduleId);
    if (!(await this.canManage(viewer, module))) {
      throw ApiError.forbidden(
        module.courseId === null
          ? 'Only the owner of this module and admins may change it.'
          : "Only the instructors of this module's course and admins may change it.",
      );
    }
    return module;
  }

  /**
   * The ids of every module the viewer manages, or undefined for "all of them" (admins): the modules
   * of the courses they teach and the open modules they own.
   */
  async managedModuleIds(viewer: Viewer, taught?: readonly string[]): Promise<string[] | undefined> {
    if (viewer.role === 'admin') return undefined;
    if (viewer.role !== 'instructor') return [];
    return this.modules.idsManaged(taught ?? (await this.courses.idsTaughtBy(viewer.userId)), viewer.userId);
  }

  /**
   * Whose grades an instructor reviews: the students of the courses they teach, and anyone's grade on
   * a module they manage (API.md, Roles). Undefined for admins: everyone's.
   */
  async gradeScopeOf(viewer: Viewer): Promise<{ userIds: string[]; moduleIds: string[] } | undefined> {
    if (viewer.role === 'admin') return undefined;
    if (viewer.role !== 'instructor') return { userIds: [], moduleIds: [] };
    const taught = await this.courses.idsTaughtBy(viewer.userId);
    const [userIds, moduleIds] = await Promise.all([this.enrollments.studentIdsOf(taught), this.managedModuleIds(viewer, taught)]);
    return { userIds, moduleIds: moduleIds ?? [] };
  }

  /** Whether the viewer may read and review this grade: admins any; an instructor those in their grade scope. */
  async canReviewGrade(viewer: Viewer, grade: { userId: string; moduleId: string | null }): Promise<boolean> {
    if (viewer.role === 'admin') return true;
    if (viewer.role !== 'instructor') return false;
    const module = grade.moduleId ? await this.modules.findById(grade.moduleId) : null;
    if (module && (await this.canManage(viewer, module))) return true;
    const [taught, enrolled] = await Promise.all([this.courses.idsTaughtBy(viewer.userId), this.enrollments.courseIdsOf(grade.userId)]);
    return enrolled.some((id) => taught.includes(id));
  }
}
