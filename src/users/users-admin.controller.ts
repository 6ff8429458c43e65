import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiNoContent, ApiJsonBody } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { AdminCreateUserDto, AdminListUsersQueryDto, AdminUpdateUserDto, toUserDto, UserDto, UserPageDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('admin')
@Authenticated('admin')
@Controller('api/admin/users')
export class UsersAdminController {
  constructor(
    private readonly users: UsersService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List users, filtered by role and by text in the email or name',
    description: 'Admins. A page of accounts, filtered by `role` and by text (`q`) in the email or the display name.',
  })
  @ApiEnvelope(UserPageDto)
  @ApiErrors('validation_failed')
  async listUsers(@Query() query: AdminListUsersQueryDto): Promise<UserPageDto> {
    const cursors = this.cursors.of('users');
    const rows = await this.users.list({
      role: query.role,
      q: query.q,
      afterId: cursors.decode(query.cursor),
      limit: query.limit,
    });
    return cursors.page(rows, query.limit, (user) => user.id, toUserDto);
  }

  @Post()
  @ApiOperation({
    summary: 'Create a user with a role',
    description: 'Admins. Creates an account with any role (students can also register themselves). Recorded in the audit log.',
  })
  @ApiJsonBody(AdminCreateUserDto, {
    instructor: {
      summary: 'An instructor account',
      value: { email: 'grace@example.org', password: 'correct horse battery', role: 'instructor', display_name: 'Grace' },
    },
  })
  @ApiEnvelope(UserDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json', 'email_taken')
  async createUser(@CurrentPrincipal() actor: Principal, @Body() body: AdminCreateUserDto): Promise<UserDto> {
    return toUserDto(
      await this.users.create(actor, { email: body.email, password: body.password, role: body.role, displayName: body.display_name }),
    );
  }

  @Patch(':id')
  @ApiIdParam()
  @ApiOperation({
    summary: "Change a user's role, status or name (effective on their next request)",
    description:
      "Admins. Changes `role`, `disabled` or `display_name`, in effect from the user's very next request. An admin cannot remove their own admin role or disable themselves (409 `conflict`). Recorded in the audit log.",
  })
  @ApiJsonBody(AdminUpdateUserDto, {
    promote: { summary: 'Make the user an instructor', value: { role: 'instructor' } },
    disable: { summary: 'Disable the account', value: { disabled: true } },
  })
  @ApiEnvelope(UserDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'conflict')
  async updateUser(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Body() body: AdminUpdateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.adminUpdate(actor, id, { role: body.role, disabled: body.disabled, displayName: body.display_name }));
  }

  @Delete(':id')
  @ApiIdParam()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user and all of their data',
    description:
      'Admins. Deletes the account and erases its data: sessions, conversations, messages, grades, progress, generated questions and usage records. An admin cannot delete themselves (409 `conflict`). Recorded in the audit log.',
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found', 'conflict')
  async deleteUser(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<void> {
    await this.users.delete(actor, id);
  }
}
