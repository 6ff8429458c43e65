import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { Authenticated } from '../auth/authenticated.decorator';
import { toMessageDto } from '../chat/chat.dto';
import { ConversationsRepository } from '../chat/conversations.repository';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import {
  AdminConversationPageDto,
  AdminConversationsQueryDto,
  AdminConversationWithMessagesDto,
  AuditPageDto,
  AuditQueryDto,
  StatsDto,
  toAdminConversationDto,
  toAuditEntryDto,
} from './admin.dto';
import { AdminService } from './admin.service';

const dateOrUndefined = (value: string | undefined) => (value ? new Date(value) : undefined);

@ApiTags('admin')
@Authenticated('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly conversations: ConversationsRepository,
    private readonly audit: AuditService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get('conversations')
  @ApiOperation({
    summary: 'Conversation logs of every user, newest first',
    description:
      "Admins. Every user's conversations, filtered by `user_id`, `module_id` and a time range (`from`, `to`, ISO 8601), a page at a time.",
  })
  @ApiEnvelope(AdminConversationPageDto)
  @ApiErrors('validation_failed')
  async listConversations(@Query() query: AdminConversationsQueryDto): Promise<AdminConversationPageDto> {
    const cursors = this.cursors.of('admin.conversations');
    const rows = await this.conversations.list({
      userId: query.user_id,
      moduleId: query.module_id,
      from: dateOrUndefined(query.from),
      to: dateOrUndefined(query.to),
      beforeId: cursors.decode(query.cursor),
      limit: query.limit,
    });
    return cursors.page(rows, query.limit, (c) => c.id, toAdminConversationDto);
  }

  @Get('conversations/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'One conversation with its messages',
    description: "Admins. Any user's conversation with all of its messages and the sources each answer cited.",
  })
  @ApiEnvelope(AdminConversationWithMessagesDto)
  @ApiErrors('validation_failed', 'not_found')
  async getConversation(@IdParam() id: string): Promise<AdminConversationWithMessagesDto> {
    const { conversation, messages } = await this.admin.conversationWithMessages(id);
    return { ...toAdminConversationDto(conversation), messages: messages.map(toMessageDto) };
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Platform figures: users, conversations, grades, model tokens (and per day for 30 days)',
    description:
      'Admins. Counts of users, conversations, messages and grades, the average grade percentage, and model tokens in total and per day over the last 30 days (UTC).',
  })
  @ApiEnvelope(StatsDto)
  stats(): Promise<StatsDto> {
    return this.admin.stats();
  }

  @Get('audit')
  @ApiOperation({
    summary: 'The audit log of staff actions, newest first',
    description:
      'Admins. Every state-changing staff action (users, roles, content, index, grade reviews): who did what to which target, with the request id; filtered by `actor_id`, `action` and time.',
  })
  @ApiEnvelope(AuditPageDto)
  @ApiErrors('validation_failed')
  async listAudit(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const cursors = this.cursors.of('audit');
    const rows = await this.audit.list({
      actorId: query.actor_id,
      action: query.action,
      from: dateOrUndefined(query.from),
      to: dateOrUndefined(query.to),
      beforeId: cursors.decode(query.cursor),
      limit: query.limit,
    });
    return cursors.page(rows, query.limit, (e) => e.id, toAuditEntryDto);
  }
}
