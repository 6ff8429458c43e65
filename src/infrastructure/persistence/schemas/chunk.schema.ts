import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A passage of a resource, as retrieval returns it. Vectors and postings live in the index. */
@Schema({ collection: 'chunks', versionKey: false, minimize: false })
export class ChunkRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) resourceId!: string;
  @Prop({ type: String, required: true, index: true }) moduleId!: string;
  @Prop({ type: Number, required: true, min: 0 }) position!: number;
  @Prop({ type: String, required: true }) text!: string;
  @Prop({ type: Number, default: null }) page!: number | null;
  @Prop({ type: String, default: null }) heading!: string | null;
}

export const ChunkSchema = SchemaFactory.createForClass(ChunkRecord);
