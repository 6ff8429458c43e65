import { Module } from '@nestjs/common';
import { UserDataErasure } from './user-data-erasure';
import { UsersRepository } from './users.repository';

/** The users collection alone, for the modules below Users (Auth) that need to read accounts. */
@Module({ providers: [UsersRepository, UserDataErasure], exports: [UsersRepository, UserDataErasure] })
export class UsersDataModule {}
