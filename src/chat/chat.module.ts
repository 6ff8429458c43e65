import { Module, OnModuleInit } from '@nestjs/common';
import { ModuleAccessModule } from '../courses/module-access.module';
import { EvaluationDataModule } from '../evaluation/evaluation-data.module';
import { IndexModule } from '../index/index.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationsRepository } from './conversations.repository';
import { MessagesRepository } from './messages.repository';

@Module({
  imports: [UsersDataModule, IndexModule, EvaluationDataModule, ModuleAccessModule],
  controllers: [ChatController],
  providers: [ChatService, ConversationsRepository, MessagesRepository],
  exports: [ConversationsRepository, MessagesRepository],
})
export class ChatModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
  ) {}

  onModuleInit(): void {
    this.erasure.register('messages', (userId) => this.messages.deleteForUser(userId));
    this.erasure.register('conversations', (userId) => this.conversations.deleteForUser(userId));
  }
}
