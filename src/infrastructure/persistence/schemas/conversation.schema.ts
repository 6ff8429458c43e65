import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { maxCharacters } from './max-characters';

@Schema({ collection: 'conversations', versionKey: false, minimize: false })
export class ConversationRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  @Prop({ type: String, default: null, index: true }) moduleId!: string | null;
  @Prop({ type: String, required: true, validate: maxCharacters(200) }) title!: string;
  /** Running summary of the turns older than the memory window, written by the model. */
  @Prop({ type: String, default: null }) summary!: string | null;
  /** Messages with a lower sequence number are folded into `summary`. */
  @Prop({ type: Number, required: true, default: 0 }) summarizedBefore!: number;
  /** Next free message sequence number; taken by atomic increments so concurrent turns keep their order. */
  @Prop({ type: Number, required: true, default: 0 }) nextSeq!: number;
  @Prop({ type: Number, required: true, default: 0 }) messageCount!: number;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true, index: true }) updatedAt!: Date;
}

export const ConversationSchema = SchemaFactory.createForClass(ConversationRecord);
