import { Domain } from '../infrastructure/persistence/stored';
import { UserRecord } from '../infrastructure/persistence/schemas/user.schema';

export type { Locale, Role } from '../infrastructure/persistence/schemas/user.schema';
export type User = Domain<UserRecord>;

/** Emails are trimmed and compared case-insensitively (API.md). */
export function emailKeyOf(email: string): string {
  return email.trim().toLowerCase();
}
