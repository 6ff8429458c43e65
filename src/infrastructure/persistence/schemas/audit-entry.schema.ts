import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

@Schema({ collection: 'audit', versionKey: false, minimize: false })
export class AuditEntryRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) actorId!: string;
  /** Dotted verb, e.g. `user.update`, `module.create`, `index.rebuild`. */
  @Prop({ type: String, required: true, index: true }) action!: string;
  @Prop({ type: String, required: true }) targetType!: string;
  @Prop({ type: String, default: null }) targetId!: string | null;
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} }) details!: Record<string, unknown>;
  @Prop({ type: String, default: null }) requestId!: string | null;
  @Prop({ type: Date, required: true, index: true }) createdAt!: Date;
}

export const AuditEntrySchema = SchemaFactory.createForClass(AuditEntryRecord);
