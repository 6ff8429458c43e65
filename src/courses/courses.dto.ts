import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress, trimText } from '../common/validation/text';
import { IsOmittable, NOT_NULL } from '../common/validation/validation';
import { toUserDto, UserDto } from '../users/users.dto';
import { CourseStudent, CourseView } from './courses.service';
import { Enrollment } from './enrollments.repository';
import { JOIN_CODE_LENGTH } from './join-code';
import { User } from '../users/user';

const ID = /^[0-9a-f]{24}$/;

// ---- responses ---------------------------------------------------------------------------------

export class CourseDto {
  @ApiProperty({ example: '665f1c2e8f1b2a3c4d5e6f70' }) id!: string;
  @ApiProperty({ example: 'Python for beginners' }) title!: string;
  @ApiProperty({ example: 'Autumn term, group B.' }) description!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'K7QX3MZP9T',
    description:
      `The code a student types to join: ${JOIN_CODE_LENGTH} random characters without look-alikes (no 0/O, 1/I/L, U), ` +
      "about 49 bits, so it cannot be guessed. Shown to the course's instructors and admins only (`null` for students). " +
      'A new code (`POST /api/admin/courses/{id}/code`) voids this one.',
  })
  join_code!: string | null;
  @ApiProperty({
    type: [String],
    example: ['665f1c2e8f1b2a3c4d5e6f71'],
    description: 'Never empty: the last instructor cannot be removed.',
  })
  instructor_ids!: string[];
  @ApiProperty({ example: 3 }) module_count!: number;
  @ApiProperty({ example: 28 }) student_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export function toCourseDto({ course, studentCount, moduleCount, showJoinCode }: CourseView): CourseDto {
  return {
    id: course.id,
    title: course.title,
    description: course.description,
    join_code: showJoinCode ? course.joinCode : null,
    instructor_ids: course.instructorIds,
    module_count: moduleCount,
    student_count: studentCount,
    created_at: course.createdAt.toISOString(),
    updated_at: course.updatedAt.toISOString(),
  };
}

export class CoursePageDto {
  @ApiProperty({ type: [CourseDto] }) items!: CourseDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class EnrollmentDto {
  @ApiProperty({ example: '665f1c2e8f1b2a3c4d5e6f70' }) course_id!: string;
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ format: 'date-time' }) enrolled_at!: string;
}

export function toEnrollmentDto(enrollment: Enrollment, user: User): EnrollmentDto {
  return { course_id: enrollment.courseId, user: toUserDto(user), enrolled_at: enrollment.enrolledAt.toISOString() };
}

export class StudentProgressDto {
  @ApiProperty({ example: 12, description: 'Graded answers.' }) attempts!: number;
  @ApiProperty({ example: 71.5 }) average_percentage!: number;
  @ApiProperty({ example: 0.74, description: 'Recency-weighted mean, 0–1.' }) mastery!: number;
  @ApiProperty({ example: 0, description: 'Review cards due now.' }) due_reviews!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_attempt_at!: string | null;
}

export class CourseStudentDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ format: 'date-time' }) enrolled_at!: string;
  @ApiProperty({ type: StudentProgressDto }) progress!: StudentProgressDto;
}

export function toCourseStudentDto(student: CourseStudent): CourseStudentDto {
  const p = student.progress;
  return {
    user: toUserDto(student.user),
    enrolled_at: student.enrolledAt.toISOString(),
    progress: {
      attempts: p.attempts,
      average_percentage: p.averagePercentage,
      mastery: p.mastery,
      due_reviews: p.dueReviews,
      last_attempt_at: p.lastAttemptAt ? p.lastAttemptAt.toISOString() : null,
    },
  };
}

export class CourseStudentPageDto {
  @ApiProperty({ type: [CourseStudentDto] }) items!: CourseStudentDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

// ---- requests ----------------------------------------------------------------------------------

export class CreateCourseDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Python for beginners' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOmittable()
  @Transform(trimText)
  @IsString()
  @MaxLength(5000)
  description?: string;
}

/** The same fields as a creation, each optional (their validation and documentation said once). */
export class UpdateCourseDto extends PartialType(CreateCourseDto, NOT_NULL) {}

export class JoinCourseDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'K7QX-3MZP9T', description: 'Case, spaces and dashes do not matter.' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code!: string;
}

export class AddInstructorDto {
  @ApiProperty({ pattern: ID.source, description: 'An instructor or admin (anyone else is 409 `conflict`).' })
  @IsString()
  @Matches(ID, { message: 'user_id must be a 24-character hexadecimal id' })
  user_id!: string;
}

export class EnrollStudentDto {
  @ApiPropertyOptional({ pattern: ID.source, description: 'The student, by id. Give exactly one of `user_id` and `email`.' })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: 'user_id must be a 24-character hexadecimal id' })
  user_id?: string;

  @ApiPropertyOptional({ maxLength: 254, example: 'ada@example.org', description: 'The student, by email (case-insensitive).' })
  @IsOptional()
  @Transform(trimText)
  @IsEmailAddress()
  @MaxLength(254)
  email?: string;
}
