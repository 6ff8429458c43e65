import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from '../auth/auth.service';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiNoContent, ApiJsonBody } from '../common/openapi/api-responses';
import { UsageService } from '../usage/usage.service';
import { ChangePasswordDto, toUserDto, UpdateMeDto, UsageDto, UserDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Authenticated()
@Controller('api/users/me')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly usage: UsageService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The signed-in user',
    description: 'The account behind the access token, as of this request: a role change or a disabled account shows at once.',
  })
  @ApiEnvelope(UserDto)
  getMe(@CurrentPrincipal() principal: Principal): UserDto {
    // Read by the auth guard for this very request; any change to the account forgets it.
    return principal.profile;
  }

  @Patch()
  @ApiOperation({
    summary: 'Change my display name or language',
    description:
      '`display_name` (up to 100 characters; `null` clears it) and `locale` (`en` or `fr`; `null` lets each answer follow the language of the message). Fields left out stay as they are.',
  })
  @ApiJsonBody(UpdateMeDto, {
    profile: { summary: 'A display name and answers in English', value: { display_name: 'Ada Lovelace', locale: 'en' } },
  })
  @ApiEnvelope(UserDto)
  @ApiErrors('validation_failed', 'invalid_json')
  async updateMe(@CurrentPrincipal() principal: Principal, @Body() body: UpdateMeDto): Promise<UserDto> {
    return toUserDto(await this.users.updateProfile(principal, { displayName: body.display_name, locale: body.locale }));
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change my password; every other session of mine is signed out',
    description:
      "Needs the current password (a wrong one is 400 `validation_failed`). Every other session of this user, its refresh and access tokens, is revoked; the caller's own stays signed in.",
  })
  @ApiJsonBody(ChangePasswordDto, {
    change: {
      summary: 'The password of the register example, changed',
      value: { current_password: 'correct horse battery', new_password: 'a longer horse battery staple' },
    },
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'invalid_json')
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(principal, body.current_password, body.new_password);
  }

  @Get('usage')
  @ApiOperation({
    summary: 'My model usage today and this month (UTC), and my limits',
    description:
      'Requests and model tokens counted for the caller today and this month (UTC), with the limits that apply to them, such as chat messages per minute.',
  })
  @ApiEnvelope(UsageDto)
  async getUsage(@CurrentPrincipal() principal: Principal): Promise<UsageDto> {
    return this.usage.forUser(principal.userId);
  }
}
