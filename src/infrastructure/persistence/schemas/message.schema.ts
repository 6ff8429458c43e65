import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export const MESSAGE_ROLES = ['user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export const MESSAGE_STATUSES = ['complete', 'interrupted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A stored passage as it was cited: a snapshot, so later edits of the course do not rewrite history. */
export interface SourceSnapshot {
  chunkId: string;
  resourceId: string;
  moduleId: string;
  title: string;
  text: string;
  score: number;
  location: { page?: number; heading?: string };
}

@Schema({ collection: 'messages', versionKey: false, minimize: false })
export class MessageRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) conversationId!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  /** Order within the conversation (unique with the conversation). */
  @Prop({ type: Number, required: true }) seq!: number;
  @Prop({ type: String, required: true, enum: MESSAGE_ROLES }) role!: MessageRole;
  @Prop({ type: String, required: true }) content!: string;
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) sources!: SourceSnapshot[];
  @Prop({ type: String, required: true, enum: MESSAGE_STATUSES, default: 'complete' }) status!: MessageStatus;
  @Prop({ type: String, default: null }) model!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
}

export const MessageSchema = SchemaFactory.createForClass(MessageRecord);
MessageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
