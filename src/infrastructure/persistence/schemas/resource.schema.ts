import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { maxCharacters } from './max-characters';

export const RESOURCE_STATUSES = ['pending', 'indexed', 'failed'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** A document of a module. Its text lives in chunks; the file itself is not kept. */
@Schema({ collection: 'resources', versionKey: false, minimize: false })
export class ResourceRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) moduleId!: string;
  @Prop({ type: String, required: true, validate: maxCharacters(300) }) title!: string;
  @Prop({ type: String, default: null, validate: maxCharacters(300) }) filename!: string | null;
  @Prop({ type: String, required: true }) mimeType!: string;
  @Prop({ type: Number, required: true, min: 0 }) sizeBytes!: number;
  @Prop({ type: String, required: true, enum: RESOURCE_STATUSES, default: 'pending', index: true }) status!: ResourceStatus;
  @Prop({ type: Number, required: true, default: 0, min: 0 }) chunkCount!: number;
  @Prop({ type: String, default: null }) error!: string | null;
  @Prop({ type: String, default: null }) createdBy!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
}

export const ResourceSchema = SchemaFactory.createForClass(ResourceRecord);
