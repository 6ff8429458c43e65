import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { MigrationRecord, MigrationSchema } from '../infrastructure/persistence/schemas/migration.schema';

/**
 * Runs each start-up migration until it has finished once. Looking for old-shaped records takes
 * queries no index serves (a field that does not exist), a full collection scan at every start on a
 * large database; the `migrations` collection remembers which migrations are done instead.
 */
@Injectable()
export class StartupMigrations {
  private readonly logger = new Logger('Migration');
  private readonly completed: DocumentCollection<MigrationRecord>;

  constructor(
    store: DocumentStore,
    private readonly clock: Clock,
  ) {
    this.completed = store.collection<MigrationRecord>({ name: 'migrations', schema: MigrationSchema });
  }

  /**
   * Runs `migrate` unless an earlier start recorded `name` as done; records it only after `migrate`
   * resolved `true` (finished). A start stopped half-way, a failure, or a migration that could not
   * finish yet (`false`) leaves no record, so the next start runs it again: `migrate` must be
   * idempotent. Several instances starting at once may each run it; the record is an upsert.
   * Returns whether it ran.
   */
  async runOnce(name: string, migrate: () => Promise<boolean>): Promise<boolean> {
    if (await this.isCompleted(name)) {
      this.logger.debug(`${name}: done at an earlier start, skipped.`);
      return false;
    }
    if (await migrate()) {
      await this.completed.updateOne({ _id: name }, { $set: { completedAt: this.clock.now() } }, { upsert: true });
      this.logger.log(`${name}: done; later starts skip it.`);
    }
    return true;
  }

  async isCompleted(name: string): Promise<boolean> {
    return (await this.completed.findOne({ _id: name })) !== null;
  }
}
