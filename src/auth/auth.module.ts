import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { AuthStateCache } from './auth-state.cache';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [
    UsersDataModule,
    // The principal goes to `request.principal` (principal.ts); no server-side login session.
    PassportModule.register({ defaultStrategy: 'jwt', property: 'principal', session: false }),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not a string: jsonwebtoken re-imports a string key on every call (NOTES.md).
        secret: config.jwt.accessKey,
        signOptions: { algorithm: 'HS256', issuer: config.jwt.issuer, expiresIn: config.jwt.accessTtlSeconds },
        verifyOptions: { algorithms: ['HS256'], issuer: config.jwt.issuer },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthStateCache,
    JwtStrategy,
    LoginThrottle,
    PasswordHasher,
    SessionsRepository,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
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
