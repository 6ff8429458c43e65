import { Domain } from '../infrastructure/persistence/stored';
import { UserRecord } from '../infrastructure/persistence/schemas/user.schema';

export type { Locale, Role } from '../infrastructure/persistence/schemas/user.schema';
export type User = Domain<UserRecord>;

/**
 * Emails are trimmed and compared case-insensitively (API.md). The key that finds an account and keeps two accounts from sharing an email: trimmed, lower-cased,
 * then in Unicode normalisation form C, so that an "é" typed as one character or as an "e" and a
 * combining accent is one address (case mapping, then NFC, as RFC 8265 prepares user names).
 * Keys stored before NFC are rewritten at start (email-key-migration.ts).
 */
export function emailKeyOf(email: string): string {
  return email.trim().toLowerCase().normalize('NFC');
}
