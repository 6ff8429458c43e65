import { Module } from '@nestjs/common';
import { StartupMigrations } from './startup-migrations';

/** The record of finished start-up migrations, for the modules that migrate their data at start. */
@Module({ providers: [StartupMigrations], exports: [StartupMigrations] })
export class MigrationsModule {}
