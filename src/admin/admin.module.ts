import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { UsersDataModule } from '../users/users-data.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [UsersDataModule, ChatModule, EvaluationModule],
  controllers: [AdminController],
  providers: [AdminService],
})
export class AdminModule {}
