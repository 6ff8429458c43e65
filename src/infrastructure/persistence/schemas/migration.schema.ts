import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A start-up migration that finished (id: its name), so later starts skip it. */
@Schema({ collection: 'migrations', versionKey: false, minimize: false })
export class MigrationRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Date, required: true }) completedAt!: Date;
}

export const MigrationSchema = SchemaFactory.createForClass(MigrationRecord);
