import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiJsonBody, ApiNoContent } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import {
  AddInstructorDto,
  CourseDto,
  CourseStudentPageDto,
  CreateCourseDto,
  EnrollmentDto,
  EnrollStudentDto,
  toCourseDto,
  toCourseStudentDto,
  toEnrollmentDto,
  UpdateCourseDto,
} from './courses.dto';
import { CoursesService } from './courses.service';

const MANAGERS = 'Its instructors and admins; another instructor gets 403.';

@ApiTags('courses')
@Authenticated('instructor', 'admin')
@Controller('api/admin/courses')
export class CoursesAdminController {
  constructor(
    private readonly courses: CoursesService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a course', description: 'The caller becomes its first instructor; it starts with a fresh join code.' })
  @ApiJsonBody(CreateCourseDto, {
    course: { summary: 'A new course', value: { title: 'Python for beginners', description: 'Autumn term, group B.' } },
  })
  @ApiEnvelope(CourseDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json')
  async create(@CurrentPrincipal() actor: Principal, @Body() body: CreateCourseDto): Promise<CourseDto> {
    return toCourseDto(await this.courses.create(actor, body));
  }

  @Patch(':id')
  @ApiIdParam()
  @ApiOperation({ summary: 'Rename or describe a course', description: MANAGERS })
  @ApiJsonBody(UpdateCourseDto, { rename: { summary: 'A new title', value: { title: 'Python for beginners (group B)' } } })
  @ApiEnvelope(CourseDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found')
  async update(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Body() body: UpdateCourseDto): Promise<CourseDto> {
    return toCourseDto(await this.courses.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({ summary: 'Delete a course', description: `${MANAGERS} Its enrollments go with it; the students' grades stay.` })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found')
  async delete(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<void> {
    await this.courses.delete(actor, id);
  }

  @Post(':id/code')
  @HttpCode(200)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Give a course a new join code',
    description: `${MANAGERS} The previous code stops working at once (joining with it is 404).`,
  })
  @ApiEnvelope(CourseDto)
  @ApiErrors('not_found', 'validation_failed')
  async rotateCode(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<CourseDto> {
    return toCourseDto(await this.courses.rotateCode(actor, id));
  }

  @Post(':id/instructors')
  @HttpCode(200)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Add a co-instructor',
    description: `${MANAGERS} The user must be an instructor or an admin (otherwise 409); adding one who already teaches it changes nothing.`,
  })
  @ApiJsonBody(AddInstructorDto, { instructor: { summary: 'An instructor, by user id', value: { user_id: '665f1c2e8f1b2a3c4d5e6f71' } } })
  @ApiEnvelope(CourseDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'conflict')
  async addInstructor(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Body() body: AddInstructorDto): Promise<CourseDto> {
    return toCourseDto(await this.courses.addInstructor(actor, id, body.user_id));
  }

  @Delete(':id/instructors/:user_id')
  @ApiIdParam()
  @ApiIdParam('user_id')
  @ApiOperation({ summary: 'Remove an instructor', description: `${MANAGERS} The last instructor cannot be removed (409).` })
  @ApiEnvelope(CourseDto)
  @ApiErrors('validation_failed', 'not_found', 'conflict')
  async removeInstructor(
    @CurrentPrincipal() actor: Principal,
    @IdParam() id: string,
    @IdParam('user_id') userId: string,
  ): Promise<CourseDto> {
    return toCourseDto(await this.courses.removeInstructor(actor, id, userId));
  }

  @Get(':id/students')
  @ApiIdParam()
  @ApiOperation({ summary: "A course's students and their progress (class view)", description: `${MANAGERS} Ordered by user id.` })
  @ApiEnvelope(CourseStudentPageDto)
  @ApiErrors('validation_failed', 'not_found')
  async students(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Query() query: ListQueryDto): Promise<CourseStudentPageDto> {
    const cursors = this.cursors.of(`students:${id}`);
    const rows = await this.courses.students(actor, id, cursors.decode(query.cursor), query.limit);
    return cursors.page(rows, query.limit, (s) => s.user.id, toCourseStudentDto);
  }

  @Post(':id/students')
  @ApiIdParam()
  @ApiOperation({
    summary: 'Enroll a student',
    description: `${MANAGERS} Names the student by \`user_id\` or by \`email\` (exactly one). 201 when enrolled now, 200 when already enrolled; a user who is not a student is 409.`,
  })
  @ApiJsonBody(EnrollStudentDto, {
    email: { summary: 'A student, by email', value: { email: 'ada@example.org' } },
  })
  @ApiEnvelope(EnrollmentDto, { status: 201 })
  @ApiEnvelope(EnrollmentDto, { description: 'Already enrolled; nothing changed.' })
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'conflict')
  async enroll(
    @CurrentPrincipal() actor: Principal,
    @IdParam() id: string,
    @Body() body: EnrollStudentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnrollmentDto> {
    const { enrollment, user, created } = await this.courses.enroll(actor, id, { userId: body.user_id, email: body.email });
    if (!created) reply.status(200);
    return toEnrollmentDto(enrollment, user);
  }

  @Delete(':id/students/:user_id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiIdParam('user_id')
  @ApiOperation({
    summary: 'Remove a student from a course',
    description: `${MANAGERS} Their grades stay; the course is no longer theirs.`,
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found')
  async removeStudent(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @IdParam('user_id') userId: string): Promise<void> {
    await this.courses.removeStudent(actor, id, userId);
  }
}
