import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { ContentModule } from './content/content.module';
import { CoursesModule } from './courses/courses.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { IndexModule } from './index/index.module';
import { Clock, SystemClock } from './common/clock';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { deriveKey } from './common/crypto/derive-key';
import { CURSOR_KEY_PURPOSE, CursorCodec } from './common/pagination/cursor';
import { QueryWhitelistInterceptor } from './common/validation/query-whitelist.interceptor';
import { createValidationPipe } from './common/validation/validation';
import { AppConfig } from './config/app-config';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { CacheModule } from './infrastructure/cache/cache.module';
import { JobsModule } from './infrastructure/jobs/jobs.module';
import { ThrottlingModule } from './infrastructure/throttling/throttling.module';
import { LlmModule } from './infrastructure/llm/llm.module';
import { PersistenceModule } from './infrastructure/persistence/persistence.module';
import { UsageModule } from './usage/usage.module';
import { UsersModule } from './users/users.module';

/** Cross-cutting providers every feature module may inject. */
@Module({})
class CoreModule {
  static forRoot(): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: Clock, useClass: SystemClock },
        // Cursors are signed with a key of their own, derived from the refresh secret, so they cannot be forged.
        {
          provide: CursorCodec,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => new CursorCodec(deriveKey(config.jwt.refreshKey, CURSOR_KEY_PURPOSE)),
        },
      ],
      exports: [Clock, CursorCodec],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CoreModule.forRoot(),
        ObservabilityModule,
        PersistenceModule.forRoot(config),
        CacheModule,
        JobsModule.forRoot(config),
        ThrottlingModule,
        AuditModule,
        UsageModule,
        LlmModule,
        AuthModule,
        UsersModule,
        ContentModule,
        CoursesModule,
        IndexModule,
        ChatModule,
        EvaluationModule,
        AdminModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
        { provide: APP_INTERCEPTOR, useClass: QueryWhitelistInterceptor },
      ],
    };
  }
}
