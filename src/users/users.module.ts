import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminBootstrap } from './admin-bootstrap';
import { UsersAdminController } from './users-admin.controller';
import { UsersController } from './users.controller';
import { UsersDataModule } from './users-data.module';
import { UsersService } from './users.service';

@Module({
  imports: [UsersDataModule, AuthModule],
  controllers: [UsersController, UsersAdminController],
  providers: [UsersService, AdminBootstrap],
  exports: [UsersService],
})
export class UsersModule {}
