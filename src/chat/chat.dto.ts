import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { trimText } from '../common/validation/text';
import { PassageDto, toPassageDto } from '../index/index.dto';
import {
  MESSAGE_ROLES,
  MESSAGE_STATUSES,
  MessageRole,
  MessageStatus,
  SourceSnapshot,
} from '../infrastructure/persistence/schemas/message.schema';
import { Conversation } from './conversations.repository';
import { Message } from './messages.repository';

const ID = /^[0-9a-f]{24}$/;
const idMessage = (field: string) => ({ message: `${field} must be a 24-character hexadecimal id` });

export class ChatRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 8000, example: 'What does range(5) produce?' })
  @IsString()
  @Transform(trimText)
  @MinLength(1)
  @MaxLength(8000)
  message!: string;

  @ApiPropertyOptional({ description: 'Continue this conversation; without it a new one starts.', pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('conversation_id'))
  conversation_id?: string;

  @ApiPropertyOptional({ description: "Answer from this module's documents only.", pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;
}

export class ChatAnswerDto {
  @ApiProperty() conversation_id!: string;
  @ApiProperty({ description: "The assistant's message." }) message_id!: string;
  @ApiProperty({ description: 'The answer, citing its sources as [1], [2]…' }) answer!: string;
  @ApiProperty({ type: [PassageDto], description: 'Exactly the passages given to the model, in citation order.' }) sources!: PassageDto[];
  @ApiProperty({ example: 'local' }) model!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ConversationDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) module_id!: string | null;
  @ApiProperty() message_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: MESSAGE_ROLES }) role!: MessageRole;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [PassageDto] }) sources!: PassageDto[];
  @ApiProperty({ enum: MESSAGE_STATUSES, description: '`interrupted` when the client left while the answer was streaming.' })
  status!: MessageStatus;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ConversationWithMessagesDto extends ConversationDto {
  @ApiProperty({ type: [MessageDto] }) messages!: MessageDto[];
}

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto] }) items!: ConversationDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class RenameConversationDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Transform(trimText)
  @MinLength(1)
  @MaxLength(200)
  title!: string;
}

export function toConversationDto(conversation: Conversation): ConversationDto {
  return {
    id: conversation.id,
    title: conversation.title,
    module_id: conversation.moduleId,
    message_count: conversation.messageCount,
    created_at: conversation.createdAt.toISOString(),
    updated_at: conversation.updatedAt.toISOString(),
  };
}

export function toMessageDto(message: Message): MessageDto {
  return {
    id: message.id,
    role: message.role,
    content: message.content,
    sources: message.sources.map((s: SourceSnapshot) => toPassageDto(s)),
    status: message.status,
    created_at: message.createdAt.toISOString(),
  };
}
