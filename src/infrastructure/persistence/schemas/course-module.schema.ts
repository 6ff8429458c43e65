import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { maxCharacters } from './max-characters';

/** A course module: the unit teachers fill with resources and students chat and practise about. */
@Schema({ collection: 'modules', versionKey: false, minimize: false })
export class CourseModuleRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, validate: maxCharacters(200) }) title!: string;
  @Prop({ type: String, default: '', validate: maxCharacters(5000) }) description!: string;
  /** Kept by single-document increments when resources come and go, so lists need no counting. */
  @Prop({ type: Number, required: true, default: 0, min: 0 }) resourceCount!: number;
  /** Set for the demo course, so it is loaded only once. */
  @Prop({ type: String, required: false, index: { unique: true, sparse: true } }) seedKey?: string;
  @Prop({ type: String, default: null }) createdBy!: string | null;
  /** The course it belongs to; null for an open module, which every signed-in user can see. */
  @Prop({ type: String, default: null, index: true }) courseId!: string | null;
  /**
   * Who manages an open module besides admins: its creator (the first admin for modules written
   * by the first release; null for the demo course the platform loads).
   */
  @Prop({ type: String, default: null, index: true }) ownerId!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}

export const CourseModuleSchema = SchemaFactory.createForClass(CourseModuleRecord);
