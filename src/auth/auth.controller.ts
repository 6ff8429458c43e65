import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { enveloped } from '../common/http/envelope';
import { AcceptsBody } from '../common/http/media-types';
import { ApiEnvelope, ApiErrors, ApiNoContent, ApiJsonBody } from '../common/openapi/api-responses';
import { validateAs } from '../common/validation/validation';
import { toUserDto } from '../users/users.dto';
import { LoginDto, PasswordGrantFormDto, RefreshDto, RegisterDto, TokenPairDto } from './auth.dto';
import { AuthService, IssuedTokens } from './auth.service';
import { Public } from './authenticated.decorator';

function toTokenPair(tokens: IssuedTokens): TokenPairDto {
  return {
    user: toUserDto(tokens.user),
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
  };
}

@ApiTags('auth')
@Public()
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({
    summary: 'Create a student account and sign in',
    description:
      'Open to anyone while `REGISTRATION_OPEN` is true (else 403 `forbidden`); the account is a student. The answer is the user and a token pair, as from sign-in: put `access_token` in the Authorize dialog. Emails are trimmed and compared case-insensitively; passwords have 8 to 128 characters.',
  })
  @ApiJsonBody(RegisterDto, {
    student: { summary: 'A new student', value: { email: 'ada@example.org', password: 'correct horse battery', display_name: 'Ada' } },
  })
  @ApiEnvelope(TokenPairDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json', 'email_taken', 'forbidden', 'payload_too_large')
  async register(@Body() body: RegisterDto): Promise<TokenPairDto> {
    return toTokenPair(await this.auth.register({ email: body.email, password: body.password, displayName: body.display_name }));
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'JSON `{email, password}`, or the OAuth2 password grant as a form (`username`, `password`) for the Swagger UI Authorize dialog. ' +
      'Form sign-ins also carry `access_token`, `token_type` and `expires_in` at the top level, as OAuth2 clients expect (RFC 6749 §5.1).',
  })
  @AcceptsBody('application/json', 'application/x-www-form-urlencoded')
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiJsonBody(LoginDto, {
    ada: { summary: 'The account of the register example', value: { email: 'ada@example.org', password: 'correct horse battery' } },
  })
  @ApiEnvelope(TokenPairDto)
  @ApiErrors('validation_failed', 'invalid_json', 'invalid_credentials', 'account_disabled', 'rate_limited')
  async login(@Req() request: FastifyRequest): Promise<object> {
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (isForm) {
      const form = await validateAs(PasswordGrantFormDto, request.body);
      const pair = toTokenPair(await this.auth.login(form.username, form.password, request.ip));
      return enveloped({ ok: true, data: pair, access_token: pair.access_token, token_type: pair.token_type, expires_in: pair.expires_in });
    }
    const body = await validateAs(LoginDto, request.body);
    return toTokenPair(await this.auth.login(body.email, body.password, request.ip));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new pair (the old one is spent)',
    description:
      'Each refresh token works once. Presenting one that was already spent revokes every token of that sign-in (its family) and answers 401 `invalid_refresh_token`, so a stolen refresh token stops working once either party uses it.',
  })
  @ApiJsonBody(RefreshDto, {
    refresh: {
      summary: 'The refresh_token of the last sign-in or refresh',
      value: { refresh_token: 'PASTE-THE-REFRESH-TOKEN-OF-A-SIGN-IN' },
    },
  })
  @ApiEnvelope(TokenPairDto)
  @ApiErrors('validation_failed', 'invalid_json', 'invalid_refresh_token', 'account_disabled')
  async refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return toTokenPair(await this.auth.refresh(body.refresh_token));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session of a refresh token (its whole family)',
    description:
      'Revokes the sign-in that issued the refresh token: the token and every token rotated from it. Send the latest `refresh_token` from register, login or refresh.',
  })
  @ApiJsonBody(RefreshDto, {
    logout: { summary: 'The refresh_token of the sign-in to end', value: { refresh_token: 'PASTE-THE-REFRESH-TOKEN-OF-A-SIGN-IN' } },
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'invalid_json', 'invalid_refresh_token')
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }
}
