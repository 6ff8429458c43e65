import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from '../auth/auth.service';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiNoContent } from '../common/openapi/api-responses';
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
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiEnvelope(UserDto)
  getMe(@CurrentPrincipal() principal: Principal): UserDto {
    // Read by the auth guard for this very request; any change to the account forgets it.
    return principal.profile;
  }

  @Patch()
  @ApiOperation({ summary: 'Change my display name or language' })
  @ApiEnvelope(UserDto)
  @ApiErrors('validation_failed', 'invalid_json')
  async updateMe(@CurrentPrincipal() principal: Principal, @Body() body: UpdateMeDto): Promise<UserDto> {
    return toUserDto(await this.users.updateProfile(principal, { displayName: body.display_name, locale: body.locale }));
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my password; every other session of mine is signed out' })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'invalid_json')
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(principal, body.current_password, body.new_password);
  }

  @Get('usage')
  @ApiOperation({ summary: 'My model usage today and this month (UTC), and my limits' })
  @ApiEnvelope(UsageDto)
  async getUsage(@CurrentPrincipal() principal: Principal): Promise<UsageDto> {
    return this.usage.forUser(principal.userId);
  }
}
