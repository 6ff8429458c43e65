import { Module, OnModuleInit } from '@nestjs/common';
import { UserDataErasure } from '../users/user-data-erasure';
import { APP_GUARD } from '@nestjs/core';
import { UsersDataModule } from '../users/users-data.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { AuthStateCache } from './auth-state.cache';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [UsersDataModule],
  controllers: [AuthController],
  providers: [AuthService, AuthStateCache, LoginThrottle, PasswordHasher, SessionsRepository, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, AuthStateCache, PasswordHasher, SessionsRepository],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly sessions: SessionsRepository,
  ) {}

  onModuleInit(): void {
    this.erasure.register('sessions', (userId) => this.sessions.deleteForUser(userId));
  }
}
