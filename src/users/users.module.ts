import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MigrationsModule } from '../migrations/migrations.module';
import { AdminBootstrap } from './admin-bootstrap';
import { EmailKeyMigration } from './email-key-migration';
import { UsersAdminController } from './users-admin.controller';
import { UsersController } from './users.controller';
import { UsersDataModule } from './users-data.module';
import { UsersService } from './users.service';

@Module({
  imports: [UsersDataModule, AuthModule, MigrationsModule],
  controllers: [UsersController, UsersAdminController],
  providers: [UsersService, EmailKeyMigration, AdminBootstrap],
  exports: [UsersService],
})
export class UsersModule {}
