import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
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
    return bullmqDriver().bullmqJobsModule({ ...config, redisUrl: config.redisUrl });
  }
}

/**
 * BullMQ, ioredis and @nestjs/bullmq are 270 files and 1.4 MB of code that an instance without
 * Redis never runs, so the driver is loaded only with REDIS_URL. `require`, because SWC leaves an
 * `import()` as it is, and Node's `import()` of this project's CommonJS output sees no named exports.
 */
function bullmqDriver(): typeof import('./bullmq-job-queue') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./bullmq-job-queue') as typeof import('./bullmq-job-queue');
}
