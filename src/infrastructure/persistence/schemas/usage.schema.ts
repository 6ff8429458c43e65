import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One user's model usage on one UTC day, kept by atomic increments (id: `<user id>:<YYYY-MM-DD>`). */
@Schema({ collection: 'usage', versionKey: false, minimize: false })
export class DailyUsageRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  @Prop({ type: String, required: true, index: true }) day!: string;
  @Prop({ type: Number, required: true, default: 0 }) requests!: number;
  @Prop({ type: Number, required: true, default: 0 }) promptTokens!: number;
  @Prop({ type: Number, required: true, default: 0 }) completionTokens!: number;
}

export const DailyUsageSchema = SchemaFactory.createForClass(DailyUsageRecord);
