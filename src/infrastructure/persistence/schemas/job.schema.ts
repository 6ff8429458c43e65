import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A background job (index rebuilds), stored so its progress survives the request that started it. */
@Schema({ collection: 'jobs', versionKey: false, minimize: false })
export class JobRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, index: true }) kind!: string;
  @Prop({ type: String, required: true, enum: JOB_STATUSES, index: true }) status!: JobStatus;
  @Prop({ type: Number, required: true, default: 0 }) processed!: number;
  @Prop({ type: Number, required: true, default: 0 }) total!: number;
  @Prop({ type: String, default: null }) error!: string | null;
  /** The process running it, so a process that starts again can tell its own abandoned jobs. */
  @Prop({ type: String, default: null }) runner!: string | null;
  @Prop({ type: String, default: null }) createdBy!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, default: null }) startedAt!: Date | null;
  @Prop({ type: Date, default: null }) finishedAt!: Date | null;
}

export const JobSchema = SchemaFactory.createForClass(JobRecord);
