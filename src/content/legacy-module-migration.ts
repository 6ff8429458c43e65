import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { StartupMigrations } from '../migrations/startup-migrations';
import { UsersRepository } from '../users/users.repository';
import { CourseModulesRepository } from './course-modules.repository';

export const LEGACY_MODULES_MIGRATION = 'first-release-modules';

/**
 * Data written by the first release keeps working (API.md, "Courses"): its modules, which have no
 * course or owner, become open modules owned by the first admin. Changes only modules still in the
 * old shape, so it is idempotent and safe with several instances; it runs at each start until it
 * has finished once (StartupMigrations). Until an admin exists they read as open modules without
 * owner (managed by admins only), and the migration is not finished: the next start tries again.
 */
@Injectable()
export class LegacyModuleMigration implements OnApplicationBootstrap {
  private readonly logger = new Logger('Migration');

  constructor(
    private readonly modules: CourseModulesRepository,
    private readonly users: UsersRepository,
    private readonly migrations: StartupMigrations,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.migrations.runOnce(LEGACY_MODULES_MIGRATION, () => this.run());
  }

  /** Returns whether every module now has its owner (false while no admin exists). */
  async run(): Promise<boolean> {
    const firstAdmin = await this.users.firstWithRole('admin');
    const changed = await this.modules.adoptLegacy(firstAdmin?.id ?? null);
    if (changed > 0) this.logger.log(`${changed} module(s) of the first release became open modules owned by the first admin.`);
    return firstAdmin !== null;
  }
}
