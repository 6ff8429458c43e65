import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BullJobQueue, configuredWorker, JOBS_QUEUE, redisOptionsFromUrl } from './bullmq-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

/** The background-job port, with the driver the configuration picks: BullMQ with REDIS_URL, in-process otherwise. */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.redisUrl) {
      return { module: JobsModule, providers: [{ provide: JobQueue, useClass: InProcessJobQueue }], exports: [JobQueue] };
    }
    return {
      module: JobsModule,
      imports: [
        BullModule.forRoot({ connection: redisOptionsFromUrl(config.redisUrl), prefix: `${config.redisKeyPrefix}jobs` }),
        BullModule.registerQueue({ name: JOBS_QUEUE }),
      ],
      providers: [{ provide: JobQueue, useClass: BullJobQueue }, configuredWorker(config)],
      exports: [JobQueue],
    };
  }
}
