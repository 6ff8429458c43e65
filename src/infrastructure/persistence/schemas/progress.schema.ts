import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A learner's progress in one module (id: `<user id>:<module id>`), kept by atomic increments only,
 * so concurrent grades never lose an update. Mastery is a recency-weighted mean: each grade weighs
 * exp((t − epoch) / τ), so `weightedPercent / weight` favours recent answers (see mastery.ts).
 */
@Schema({ collection: 'progress', versionKey: false, minimize: false })
export class ProgressRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  @Prop({ type: String, required: true, index: true }) moduleId!: string;
  @Prop({ type: Number, required: true, default: 0 }) attempts!: number;
  @Prop({ type: Number, required: true, default: 0 }) percentSum!: number;
  @Prop({ type: Number, required: true, default: 0 }) weight!: number;
  @Prop({ type: Number, required: true, default: 0 }) weightedPercent!: number;
  @Prop({ type: Date, default: null }) lastAttemptAt!: Date | null;
}

export const ProgressSchema = SchemaFactory.createForClass(ProgressRecord);
