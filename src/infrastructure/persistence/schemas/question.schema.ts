import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { SourceSnapshot } from './message.schema';

export const QUESTION_TYPES = ['mcq', 'short_answer', 'true_false'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** A generated question kept in the question bank, so answers to it can be graded by its id. */
@Schema({ collection: 'questions', versionKey: false, minimize: false })
export class QuestionRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) createdBy!: string;
  @Prop({ type: String, default: null, index: true }) moduleId!: string | null;
  @Prop({ type: String, required: true, enum: QUESTION_TYPES }) type!: QuestionType;
  @Prop({ type: String, required: true }) question!: string;
  @Prop({ type: [String], default: undefined }) choices?: string[];
  @Prop({ type: String, required: true }) answer!: string;
  @Prop({ type: String, required: true }) explanation!: string;
  @Prop({ type: String, required: true, enum: DIFFICULTIES }) difficulty!: Difficulty;
  @Prop({ type: String, required: true, enum: ['fr', 'en'] }) language!: 'fr' | 'en';
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) sources!: SourceSnapshot[];
  @Prop({ type: Date, required: true }) createdAt!: Date;
}

export const QuestionSchema = SchemaFactory.createForClass(QuestionRecord);
