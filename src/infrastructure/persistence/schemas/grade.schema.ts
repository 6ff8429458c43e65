import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { SourceSnapshot } from './message.schema';

export interface RubricCriterionValue {
  criterion: string;
  maxPoints: number;
  description?: string;
}

export interface CriterionScoreValue {
  criterion: string;
  score: number;
  maxPoints: number;
  comment: string;
}

@Schema({ collection: 'grades', versionKey: false, minimize: false })
export class GradeRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  @Prop({ type: String, default: null, index: true }) moduleId!: string | null;
  @Prop({ type: String, default: null, index: true }) questionId!: string | null;
  /**
   * True only for a student's answer to a bank question by its id, graded against the stored key:
   * the grades progress, mastery, the class view and the statistics are made of. Not `required`:
   * first-release grades lack it until the start-up migration marks them.
   */
  @Prop({ type: Boolean, default: false, index: true }) countsTowardProgress!: boolean;
  @Prop({ type: String, required: true }) question!: string;
  /** An empty answer is an answer (graded 0): Mongoose's `required` would refuse the empty string. */
  @Prop({ type: String, default: '' }) studentAnswer!: string;
  @Prop({ type: String, default: null }) referenceAnswer!: string | null;
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) rubric!: RubricCriterionValue[];
  @Prop({ type: Number, required: true, min: 0 }) maxScore!: number;
  @Prop({ type: Number, required: true, min: 0 }) score!: number;
  @Prop({ type: Number, required: true, min: 0, max: 100 }) percentage!: number;
  @Prop({ type: String, required: true }) feedback!: string;
  @Prop({ type: [String], default: [] }) strengths!: string[];
  @Prop({ type: [String], default: [] }) improvements!: string[];
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) criteria!: CriterionScoreValue[];
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) sources!: SourceSnapshot[];
  @Prop({ type: String, required: true }) model!: string;
  /** The model's score and feedback, kept when a teacher overrides them. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: null }) original!: { score: number; feedback: string } | null;
  @Prop({ type: String, default: null }) reviewedBy!: string | null;
  @Prop({ type: Date, default: null }) reviewedAt!: Date | null;
  @Prop({ type: Date, required: true, index: true }) createdAt!: Date;
}

export const GradeSchema = SchemaFactory.createForClass(GradeRecord);
