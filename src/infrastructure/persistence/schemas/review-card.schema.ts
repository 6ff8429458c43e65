import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A student's spaced-review card for one bank question (id: `<user id>:<question id>`), scheduled by
 * FSRS (`ts-fsrs`): the fields are its card's, in camelCase. `reps` doubles as a revision number,
 * so two answers graded at once cannot both reschedule from the same state.
 */
@Schema({ collection: 'review_cards', versionKey: false, minimize: false })
export class ReviewCardRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) userId!: string;
  @Prop({ type: String, required: true, index: true }) questionId!: string;
  @Prop({ type: String, required: true, index: true }) moduleId!: string;
  @Prop({ type: Date, required: true }) due!: Date;
  @Prop({ type: Number, required: true, min: 0 }) stability!: number;
  @Prop({ type: Number, required: true, min: 0 }) difficulty!: number;
  @Prop({ type: Number, required: true, min: 0 }) scheduledDays!: number;
  @Prop({ type: Number, required: true, min: 0 }) learningSteps!: number;
  @Prop({ type: Number, required: true, min: 0 }) reps!: number;
  @Prop({ type: Number, required: true, min: 0 }) lapses!: number;
  /** ts-fsrs `State`: 0 new, 1 learning, 2 review, 3 relearning. */
  @Prop({ type: Number, required: true, min: 0, max: 3 }) state!: number;
  @Prop({ type: Date, default: null }) lastReview!: Date | null;
  @Prop({ type: Number, required: true, min: 0, max: 100 }) lastPercentage!: number;
}

export const ReviewCardSchema = SchemaFactory.createForClass(ReviewCardRecord);
// A learner's due cards, oldest due first: the review queue's and the class view's one query.
ReviewCardSchema.index({ userId: 1, due: 1 });
