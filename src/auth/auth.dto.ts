import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress, trimText } from '../common/validation/text';
import { UserDto } from '../users/users.dto';

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: 254 })
  @Transform(trimText)
  @IsString()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'Ada' })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  display_name?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: 254 })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

/**
 * The OAuth2 password grant's form (RFC 6749 §4.3.2), as Swagger UI's Authorize dialog sends it.
 * `grant_type`, `scope` and the client fields are accepted and ignored.
 */
export class PasswordGrantFormDto {
  @ApiProperty({ description: 'The email.', maxLength: 254 })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  username!: string;

  @ApiProperty({ maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;

  @ApiPropertyOptional({ example: 'password' }) @IsOptional() @IsString() @MaxLength(32) grant_type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) client_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) client_secret?: string;
}

export class RefreshDto {
  @ApiProperty({ maxLength: 512 })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refresh_token!: string;
}

export class TokenPairDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ description: 'Short-lived JWT for the Authorization header.' }) access_token!: string;
  @ApiProperty({ description: 'Opaque; single use: each refresh returns a new one.' }) refresh_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 }) expires_in!: number;
}
