import { Global, Module, OnModuleInit } from '@nestjs/common';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Global()
@Module({ imports: [UsersDataModule], providers: [UsageRepository, UsageService], exports: [UsageRepository, UsageService] })
export class UsageModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly usage: UsageRepository,
  ) {}

  onModuleInit(): void {
    this.erasure.register('usage', (userId) => this.usage.deleteForUser(userId));
  }
}
