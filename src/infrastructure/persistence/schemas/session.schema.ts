import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One login: a family of refresh tokens. Only the current token's digest is valid; the digests of
 * spent ones are kept so that presenting one again is recognised as reuse and revokes the family.
 */
@Schema({ collection: 'sessions', versionKey: false, minimize: false })
export class SessionRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  userId!: string;

  @Prop({ type: String, required: true })
  tokenHash!: string;

  @Prop({ type: [String], default: [] })
  spentHashes!: string[];

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  revokedAt!: Date | null;
}

export const SessionSchema = SchemaFactory.createForClass(SessionRecord);
