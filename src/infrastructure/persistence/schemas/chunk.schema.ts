import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A passage of a resource, as retrieval returns it, with its vector: every instance's local index
 * is built from these, so a passage is embedded once whatever the number of instances.
 */
@Schema({ collection: 'chunks', versionKey: false, minimize: false })
export class ChunkRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) resourceId!: string;
  @Prop({ type: String, required: true, index: true }) moduleId!: string;
  @Prop({ type: Number, required: true, min: 0 }) position!: number;
  @Prop({ type: String, required: true }) text!: string;
  @Prop({ type: Number, default: null }) page!: number | null;
  @Prop({ type: String, default: null }) heading!: string | null;
  /** Its vector, little-endian float32 in base64 (the same in both stores); null until embedded. */
  @Prop({ type: String, default: null }) embedding!: string | null;
  /** The model (and vector length) that made it, `name@dimensions`: a vector of another model is stale. */
  @Prop({ type: String, default: null, index: true }) embeddingModel!: string | null;
}

export const ChunkSchema = SchemaFactory.createForClass(ChunkRecord);
