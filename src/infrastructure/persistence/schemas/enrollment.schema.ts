import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A student's enrollment in a course (id: `<course id>:<user id>`), so enrolling twice, even at the
 * same instant, finds the same document instead of creating a second one.
 */
@Schema({ collection: 'enrollments', versionKey: false, minimize: false })
export class EnrollmentRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) courseId!: string;
  @Prop({ type: String, required: true, index: true }) userId!: string;
  @Prop({ type: Date, required: true }) enrolledAt!: Date;
}

export const EnrollmentSchema = SchemaFactory.createForClass(EnrollmentRecord);
