import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiJsonBody } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { CourseDto, CoursePageDto, JoinCourseDto, toCourseDto } from './courses.dto';
import { CoursesService } from './courses.service';

@ApiTags('courses')
@Controller('api/courses')
export class CoursesController {
  constructor(
    private readonly courses: CoursesService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "List the caller's courses",
    description: "A student's enrolled courses, an instructor's own courses, every course for an admin; oldest first.",
  })
  @ApiEnvelope(CoursePageDto)
  @ApiErrors('validation_failed')
  async list(@CurrentPrincipal() actor: Principal, @Query() query: ListQueryDto): Promise<CoursePageDto> {
    const cursors = this.cursors.of('courses');
    return cursors.page(
      await this.courses.list(actor, cursors.decode(query.cursor), query.limit),
      query.limit,
      (v) => v.course.id,
      toCourseDto,
    );
  }

  @Post('join')
  @HttpCode(200)
  @Authenticated('student')
  @ApiOperation({
    summary: 'Join a course with its code',
    description:
      'Enrolls the calling student in the course whose current join code this is (joining again changes nothing). A code that was replaced, or never existed, is 404.',
  })
  @ApiJsonBody(JoinCourseDto, { code: { summary: 'The code the teacher handed out', value: { code: 'K7QX-3MZP9T' } } })
  @ApiEnvelope(CourseDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found')
  async join(@CurrentPrincipal() actor: Principal, @Body() body: JoinCourseDto): Promise<CourseDto> {
    return toCourseDto(await this.courses.join(actor, body.code));
  }

  @Get(':id')
  @Authenticated()
  @ApiIdParam()
  @ApiOperation({
    summary: 'One course, with its counts',
    description: 'For its instructors, its students and admins; to anyone else it does not exist (404).',
  })
  @ApiEnvelope(CourseDto)
  @ApiErrors('validation_failed', 'not_found')
  async get(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<CourseDto> {
    return toCourseDto(await this.courses.get(actor, id));
  }
}
