import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AuditEntry } from '../audit/audit.service';
import { ConversationDto, MessageDto, toConversationDto } from '../chat/chat.dto';
import { Conversation } from '../chat/conversations.repository';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { IsIsoDateTime } from '../common/validation/query-values';

const ID = /^[0-9a-f]{24}$/;
const idMessage = (field: string) => ({ message: `${field} must be a 24-character hexadecimal id` });

export class TimeRangeQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'At or after this time.' }) @IsOptional() @IsIsoDateTime() from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'At or before this time.' }) @IsOptional() @IsIsoDateTime() to?: string;
}

export class AdminConversationsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ pattern: ID.source }) @IsOptional() @IsString() @Matches(ID, idMessage('user_id')) user_id?: string;
  @ApiPropertyOptional({ pattern: ID.source }) @IsOptional() @IsString() @Matches(ID, idMessage('module_id')) module_id?: string;
}

export class AuditQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ pattern: ID.source }) @IsOptional() @IsString() @Matches(ID, idMessage('actor_id')) actor_id?: string;
  @ApiPropertyOptional({ example: 'user.update', maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100) action?: string;
}

export class AdminConversationDto extends ConversationDto {
  @ApiProperty() user_id!: string;
}

export class AdminConversationWithMessagesDto extends AdminConversationDto {
  @ApiProperty({ type: [MessageDto] }) messages!: MessageDto[];
}

export class AdminConversationPageDto {
  @ApiProperty({ type: [AdminConversationDto] }) items!: AdminConversationDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export function toAdminConversationDto(conversation: Conversation): AdminConversationDto {
  return { ...toConversationDto(conversation), user_id: conversation.userId };
}

export class AuditEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty() actor_id!: string;
  @ApiProperty({ example: 'user.update' }) action!: string;
  @ApiProperty({ example: 'user' }) target_type!: string;
  @ApiProperty({ type: String, nullable: true }) target_id!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return {
    id: entry.id,
    actor_id: entry.actorId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    details: entry.details,
    request_id: entry.requestId,
    created_at: entry.createdAt.toISOString(),
  };
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class TokenTotalsDto {
  @ApiProperty() prompt!: number;
  @ApiProperty() completion!: number;
  @ApiProperty() total!: number;
}

export class TokensByDayDto extends TokenTotalsDto {
  @ApiProperty({ example: '2026-11-23' }) date!: string;
}

export class StatsDto {
  @ApiProperty() users!: number;
  @ApiProperty() conversations!: number;
  @ApiProperty() messages!: number;
  @ApiProperty() grades!: number;
  @ApiProperty({ description: 'Mean percentage of every grade (0 when there is none).' }) average_percentage!: number;
  @ApiProperty({ type: TokenTotalsDto, description: 'Model tokens used since the start.' }) tokens!: TokenTotalsDto;
  @ApiProperty({ type: [TokensByDayDto], description: 'The last 30 days (UTC), oldest first, days without use included.' })
  tokens_by_day!: TokensByDayDto[];
}
