import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const INDEX_CHANGE_KINDS = ['resource', 'module'] as const;
export type IndexChangeKind = (typeof INDEX_CHANGE_KINDS)[number];

/**
 * One entry of the index change feed: which resource (or module) to bring in line with the
 * stored chunks. Instances poll the feed by `seq` and apply each entry to their local index.
 */
@Schema({ collection: 'index_changes', versionKey: false, minimize: false })
export class IndexChangeRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Number, required: true, unique: true }) seq!: number;
  @Prop({ type: String, required: true, enum: INDEX_CHANGE_KINDS }) kind!: IndexChangeKind;
  /** The resource or module id. */
  @Prop({ type: String, required: true }) target!: string;
  @Prop({ type: Date, required: true }) createdAt!: Date;
}

export const IndexChangeSchema = SchemaFactory.createForClass(IndexChangeRecord);

/** A named counter, incremented atomically (`$inc`): the feed's sequence and the index generation. */
@Schema({ collection: 'counters', versionKey: false, minimize: false })
export class CounterRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Number, required: true, default: 0 }) value!: number;
}

export const CounterSchema = SchemaFactory.createForClass(CounterRecord);
