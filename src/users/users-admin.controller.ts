import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiNoContent } from '../common/openapi/api-responses';
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
  @ApiOperation({ summary: 'List users, filtered by role and by text in the email or name' })
  @ApiEnvelope(UserPageDto)
  @ApiErrors('validation_failed')
  async listUsers(@Query() query: AdminListUsersQueryDto): Promise<UserPageDto> {
    const rows = await this.users.list({ role: query.role, q: query.q, afterId: this.cursors.decode(query.cursor), limit: query.limit });
    return this.cursors.page(rows, query.limit, (user) => user.id, toUserDto);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user with a role' })
  @ApiEnvelope(UserDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json', 'email_taken')
  async createUser(@CurrentPrincipal() actor: Principal, @Body() body: AdminCreateUserDto): Promise<UserDto> {
    return toUserDto(
      await this.users.create(actor, { email: body.email, password: body.password, role: body.role, displayName: body.display_name }),
    );
  }

  @Patch(':id')
  @ApiIdParam()
  @ApiOperation({ summary: "Change a user's role, status or name (effective on their next request)" })
  @ApiEnvelope(UserDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'conflict')
  async updateUser(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Body() body: AdminUpdateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.adminUpdate(actor, id, { role: body.role, disabled: body.disabled, displayName: body.display_name }));
  }

  @Delete(':id')
  @ApiIdParam()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user and all of their data' })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found', 'conflict')
  async deleteUser(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<void> {
    await this.users.delete(actor, id);
  }
}
