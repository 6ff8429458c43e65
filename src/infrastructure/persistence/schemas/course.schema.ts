import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { maxCharacters } from './max-characters';

/** A course: modules, the instructors who teach it and the students enrolled in it (API.md, Courses). */
@Schema({ collection: 'courses', versionKey: false, minimize: false })
export class CourseRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, validate: maxCharacters(200) }) title!: string;
  @Prop({ type: String, default: '', validate: maxCharacters(5000) }) description!: string;
  /** Never empty while the course exists: the last instructor cannot be removed. */
  @Prop({ type: [String], default: [], index: true }) instructorIds!: string[];
  /** The one code that enrolls a student; replacing it voids the previous one. */
  @Prop({ type: String, required: true, index: { unique: true } }) joinCode!: string;
  /** Bumped by every change of the instructor list, so concurrent changes cannot lose one another. */
  @Prop({ type: Number, required: true, default: 0 }) revision!: number;
  @Prop({ type: String, required: true }) createdBy!: string;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}

export const CourseSchema = SchemaFactory.createForClass(CourseRecord);
