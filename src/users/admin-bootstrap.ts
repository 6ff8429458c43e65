import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import { AuthStateCache } from '../auth/auth-state.cache';
import { ApiError } from '../common/errors/api-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { emailKeyOf } from './user';
import { UsersRepository } from './users.repository';

export const DEV_ADMIN_EMAIL = 'admin@localhost.localdomain';

/**
 * Makes sure there is a way in: the ADMIN_EMAIL account exists and is an admin (idempotent; an
 * existing account keeps its password). In development with nothing configured and no admin yet,
 * one is created and its credentials are printed once.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly auth: AuthService,
    private readonly authState: AuthStateCache,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email, password } = this.config.admin;
    if (email && password) {
      await this.ensureAdmin(email, password);
    } else if (this.config.env === 'development' && (await this.users.countByRole('admin')) === 0) {
      const generated = randomBytes(12).toString('base64url');
      await this.ensureAdmin(DEV_ADMIN_EMAIL, generated);
      // Printed straight to the terminal, not the structured log, so it is seen and not shipped.
      process.stdout.write(
        `\nDevelopment admin account created:\n  email:    ${DEV_ADMIN_EMAIL}\n  password: ${generated}\n(set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own)\n\n`,
      );
    }
  }

  private async ensureAdmin(email: string, password: string): Promise<void> {
    const existing = await this.users.findByEmailKey(emailKeyOf(email));
    if (existing) {
      if (existing.role !== 'admin' || existing.disabled) {
        await this.users.update(existing.id, { role: 'admin', disabled: false }, this.clock.now());
        await this.authState.forgetAccount(existing.id);
        this.logger.log(`Account ${email} restored as an admin.`);
      }
      return;
    }
    try {
      await this.auth.createAccount({ email, password, role: 'admin', displayName: 'Administrator' });
      this.logger.log(`Admin account ${email} created.`);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!(error instanceof ApiError && error.code === 'email_taken')) throw error;
    }
  }
}
