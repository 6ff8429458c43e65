import { Body, Controller, Delete, Get, HttpCode, Inject, Logger, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { toErrorResponse } from '../common/errors/error-envelope';
import { hijackWithHeaders } from '../common/http/hijacked-reply';
import { pathOf } from '../common/logging/redact';
import { ApiEnvelope, ApiErrors, ApiNoContent, ApiJsonBody } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { toPassageDto } from '../index/index.dto';
import { isLlmAbort } from '../infrastructure/llm';
import { PerUserLimited } from '../infrastructure/throttling/per-user-limits';
import {
  ChatAnswerDto,
  ChatRequestDto,
  ConversationDto,
  ConversationPageDto,
  ConversationWithMessagesDto,
  RenameConversationDto,
  toConversationDto,
  toMessageDto,
} from './chat.dto';
import { ChatAnswer, ChatService } from './chat.service';

/** No `conversation_id`, so the example starts a conversation (a made-up id would be 404). */
const CHAT_EXAMPLES = {
  question: { summary: 'A question on the demo course; starts a conversation', value: { message: 'What does range(5) produce?' } },
};

/** nginx's status for a request whose client closed the connection before the answer. */
const CLIENT_CLOSED_REQUEST = 499;

function toAnswerDto(answer: ChatAnswer): ChatAnswerDto {
  return {
    conversation_id: answer.conversation.id,
    message_id: answer.message.id,
    answer: answer.message.content,
    sources: answer.passages.map(toPassageDto),
    model: answer.message.model ?? 'unknown',
    created_at: answer.message.createdAt.toISOString(),
  };
}

/** Aborted when the client's connection closes before the answer is complete. */
function clientGone(request: FastifyRequest, reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  request.raw.on('aborted', () => controller.abort());
  return controller;
}

@ApiTags('chat')
@Authenticated()
@Controller('api/chat')
export class ChatController {
  private readonly logger = new Logger('Chat');

  constructor(
    private readonly chat: ChatService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @HttpCode(200)
  @PerUserLimited('chat')
  @ApiOperation({
    summary: 'Ask the tutor; the answer cites the course passages it used',
    description:
      'Without `conversation_id` a new conversation starts: its id is in the answer, send it back to continue. The answer is grounded in passages found for the question and cites them with `[n]` markers numbered as `sources`; when the course does not cover the question, it says so and `sources` is empty. The question is stored before the model is called. Each user may send `CHAT_REQUESTS_PER_MINUTE` messages a minute (60 by default); above it, 429 with `Retry-After`.',
  })
  @ApiJsonBody(ChatRequestDto, CHAT_EXAMPLES)
  @ApiEnvelope(ChatAnswerDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'rate_limited', 'content_filtered', 'llm_unavailable')
  async sendMessage(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChatRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatAnswerDto> {
    const turn = await this.chat.prepare(principal, {
      message: body.message,
      conversationId: body.conversation_id,
      moduleId: body.module_id,
    });
    const gone = clientGone(request, reply);
    try {
      return toAnswerDto(await this.chat.answer(principal, turn, gone.signal));
    } catch (error) {
      // The client left and its model call was cancelled: nobody waits for an answer or an error, and
      // nothing failed on our side. 499 ("client closed request") keeps it out of the server errors.
      if (gone.signal.aborted && isLlmAbort(error)) {
        void reply.code(CLIENT_CLOSED_REQUEST);
        return undefined as unknown as ChatAnswerDto;
      }
      throw error;
    }
  }

  @Post('stream')
  @PerUserLimited('chat')
  @ApiOperation({
    summary: 'Ask the tutor and receive the answer as it is written (server-sent events)',
    description:
      'Events, in order: `meta` `{conversation_id}`; `token` `{delta}` as the answer grows; `sources` `{sources}`; `done` `{message_id, answer}` ' +
      "(the assistant's message). A failure after the stream has started is sent as an `error` `{code, message}` event. " +
      'If the client disconnects, the model call is cancelled and what was written is stored as an interrupted message.',
  })
  @ApiJsonBody(ChatRequestDto, CHAT_EXAMPLES)
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'rate_limited', 'content_filtered', 'llm_unavailable')
  async streamMessage(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChatRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Errors before the first byte (validation, quota, unknown conversation) are ordinary JSON errors.
    const turn = await this.chat.prepare(principal, {
      message: body.message,
      conversationId: body.conversation_id,
      moduleId: body.module_id,
    });
    const abort = clientGone(request, reply);
    const raw = hijackWithHeaders(reply, 200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send = (event: string, data: unknown) => {
      if (!raw.destroyed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('meta', { conversation_id: turn.conversation.id });
    try {
      const answer = await this.chat.streamAnswer(principal, turn, (delta) => send('token', { delta }), abort.signal);
      send('sources', { sources: answer.passages.map(toPassageDto) });
      send('done', { message_id: answer.message.id, answer: answer.message.content });
    } catch (error) {
      const { body: errorBody, unexpected } = toErrorResponse(error, String(request.id));
      // The exception filter never sees errors of a started stream, so the unforeseen ones are logged here.
      if (unexpected && !abort.signal.aborted)
        this.logger.error({ err: error, method: request.method, path: pathOf(request.url) }, 'Unexpected error while streaming an answer');
      send('error', { code: errorBody.error.code, message: errorBody.error.message });
    } finally {
      raw.end();
    }
  }

  @Get('conversations')
  @ApiOperation({
    summary: 'My conversations, newest first',
    description: "A page of the caller's conversations (`limit`, `cursor`), newest first, with their message counts.",
  })
  @ApiEnvelope(ConversationPageDto)
  @ApiErrors('validation_failed')
  async listConversations(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto): Promise<ConversationPageDto> {
    const cursors = this.cursors.of('conversations');
    const rows = await this.chat.listConversations(principal, cursors.decode(query.cursor), query.limit);
    return cursors.page(rows, query.limit, (c) => c.id, toConversationDto);
  }

  @Get('conversations/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'One of my conversations with its messages in order',
    description:
      "The conversation and its messages, the user's and the tutor's, with the sources each answer cited. Another user's conversation is 404.",
  })
  @ApiEnvelope(ConversationWithMessagesDto)
  @ApiErrors('validation_failed', 'not_found')
  async getConversation(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ConversationWithMessagesDto> {
    const { conversation, messages } = await this.chat.getConversation(principal, id);
    return { ...toConversationDto(conversation), messages: messages.map(toMessageDto) };
  }

  @Patch('conversations/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'Rename one of my conversations',
    description: "Sets the conversation's title. Another user's conversation is 404.",
  })
  @ApiJsonBody(RenameConversationDto, { rename: { summary: 'A clearer title', value: { title: 'Loops and range()' } } })
  @ApiEnvelope(ConversationDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found')
  async renameConversation(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: RenameConversationDto,
  ): Promise<ConversationDto> {
    return toConversationDto(await this.chat.rename(principal, id, body.title));
  }

  @Delete('conversations/:id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Delete one of my conversations and its messages',
    description: "Deletes the conversation and all of its messages. Another user's conversation is 404.",
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found')
  async deleteConversation(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.chat.delete(principal, id);
  }
}
