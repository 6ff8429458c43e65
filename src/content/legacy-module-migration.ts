import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UsersRepository } from '../users/users.repository';
import { CourseModulesRepository } from './course-modules.repository';

/**
 * Data written by the first release keeps working (API.md, "Courses"): its modules, which have no
 * course or owner, become open modules owned by the first admin. Runs at every start and changes
 * only modules still in the old shape, so it is idempotent and safe with several instances.
 * Until an admin exists they read as open modules without owner (managed by admins only).
 */
@Injectable()
export class LegacyModuleMigration implements OnApplicationBootstrap {
  private readonly logger = new Logger('Migration');

  constructor(
    private readonly modules: CourseModulesRepository,
    private readonly users: UsersRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed = await this.run();
    if (changed > 0) this.logger.log(`${changed} module(s) of the first release became open modules owned by the first admin.`);
  }

  async run(): Promise<number> {
    const firstAdmin = await this.users.firstWithRole('admin');
    return this.modules.adoptLegacy(firstAdmin?.id ?? null);
  }
}
