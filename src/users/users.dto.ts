import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { IsEmailAddress, trimText } from '../common/validation/text';
import { IsOmittable } from '../common/validation/validation';
import { LOCALES, Locale, ROLES, Role } from '../infrastructure/persistence/schemas/user.schema';
import { User } from './user';

// ---- responses ---------------------------------------------------------------------------------

export class UserDto {
  @ApiProperty({ example: '665f1c2e8f1b2a3c4d5e6f70' }) id!: string;
  @ApiProperty({ example: 'ada@example.org' }) email!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) display_name!: string | null;
  @ApiProperty({ enum: ROLES, example: 'student' }) role!: Role;
  @ApiProperty({ enum: LOCALES, nullable: true, example: null, description: 'Until chosen, answers follow the language of each message.' })
  locale!: Locale | null;
  @ApiProperty({ example: false }) disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    locale: user.locale,
    disabled: user.disabled,
    created_at: user.createdAt.toISOString(),
  };
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class UsageCounterDto {
  @ApiProperty({ description: 'Calls to the language model.' }) requests!: number;
  @ApiProperty({ description: 'Prompt and completion tokens.' }) tokens!: number;
}

export class UsageLimitsDto {
  @ApiProperty({ example: 60, description: 'Chat messages a minute (CHAT_REQUESTS_PER_MINUTE)' }) chat_requests_per_minute!: number;
  @ApiProperty({ example: 30, description: 'Grading and question generation requests a minute, together (EVALUATION_REQUESTS_PER_MINUTE)' })
  evaluation_requests_per_minute!: number;
}

export class UsageDto {
  @ApiProperty({ type: UsageCounterDto }) today!: UsageCounterDto;
  @ApiProperty({ type: UsageCounterDto }) month!: UsageCounterDto;
  @ApiProperty({ type: UsageLimitsDto }) limits!: UsageLimitsDto;
}

// ---- requests ----------------------------------------------------------------------------------

export class UpdateMeDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'Ada' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  display_name?: string | null;

  @ApiPropertyOptional({ enum: LOCALES, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsIn(LOCALES)
  locale?: Locale | null;
}

export class ChangePasswordDto {
  @ApiProperty({ minLength: 1, maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  current_password!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  new_password!: string;
}

export class AdminCreateUserDto {
  @ApiProperty({ example: 'teacher@example.org', maxLength: 254 })
  @Transform(trimText)
  @IsString()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  display_name?: string;
}

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOmittable()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  display_name?: string | null;
}

export class AdminListUsersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Part of the email or display name (case-insensitive).', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
