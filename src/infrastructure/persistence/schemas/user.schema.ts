import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { maxCharacters } from './max-characters';

export const ROLES = ['student', 'instructor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

@Schema({ collection: 'users', versionKey: false, minimize: false })
export class UserRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  /** As the user typed it, trimmed. */
  @Prop({ type: String, required: true, validate: maxCharacters(254) })
  email!: string;

  /** Lower-cased email: the unique index that makes two accounts with one email impossible. */
  @Prop({ type: String, required: true, unique: true })
  emailKey!: string;

  @Prop({ type: String, required: true })
  passwordHash!: string;

  @Prop({ type: String, default: null, validate: maxCharacters(100) })
  displayName!: string | null;

  @Prop({ type: String, required: true, enum: ROLES, default: 'student' })
  role!: Role;

  @Prop({ type: String, enum: [...LOCALES, null], default: null })
  locale!: Locale | null;

  @Prop({ type: Boolean, required: true, default: false })
  disabled!: boolean;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const UserSchema = SchemaFactory.createForClass(UserRecord);
UserSchema.index({ role: 1 });
