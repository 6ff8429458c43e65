import { Injectable } from '@nestjs/common';

export type UserDataEraser = (userId: string) => Promise<unknown>;

/**
 * Deleting a user removes everything that is theirs. Each module that stores per-user data
 * (sessions, conversations, grades, progress, usage…) registers how to erase it here.
 */
@Injectable()
export class UserDataErasure {
  private readonly erasers = new Map<string, UserDataEraser>();

  register(name: string, eraser: UserDataEraser): void {
    this.erasers.set(name, eraser);
  }

  async eraseAll(userId: string): Promise<void> {
    for (const eraser of this.erasers.values()) await eraser(userId);
  }
}
