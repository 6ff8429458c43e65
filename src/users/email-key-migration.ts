import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { StartupMigrations } from '../migrations/startup-migrations';
import { emailKeyOf } from './user';
import { UsersRepository } from './users.repository';

export const EMAIL_KEY_MIGRATION = 'email-keys-nfc';

/**
 * Email keys written before they were put in Unicode normal form C (user.ts) are rewritten, so that
 * an account registered as "e" and a combining accent signs in as "é" and is found by it. Two
 * accounts that turn out to share an address keep their keys: the one already in form C (or else
 * the first rewritten, in order of creation) answers to the address, and the other is named in the
 * log for an admin to merge or delete. Idempotent; runs at each start until it has finished once (StartupMigrations).
 */
@Injectable()
export class EmailKeyMigration implements OnApplicationBootstrap {
  private readonly logger = new Logger('Migration');

  constructor(
    private readonly users: UsersRepository,
    private readonly migrations: StartupMigrations,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.migrations.runOnce(EMAIL_KEY_MIGRATION, () => this.run());
  }

  async run(): Promise<boolean> {
    const { changed, kept } = await this.users.rekeyEmails(emailKeyOf);
    if (changed > 0) this.logger.log(`${changed} account(s) now found by their email in Unicode normal form C.`);
    for (const id of kept) {
      this.logger.warn(
        `Account ${id} has the email of another account once both are in Unicode normal form C; it keeps its old key, ` +
          'so it signs in only with its email typed as it was registered. Merge or delete one of the two.',
      );
    }
    return true;
  }
}
