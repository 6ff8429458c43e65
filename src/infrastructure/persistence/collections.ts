import type { ModelDefinition } from '@nestjs/mongoose';
import { AuditEntryRecord, AuditEntrySchema } from './schemas/audit-entry.schema';
import { ChunkRecord, ChunkSchema } from './schemas/chunk.schema';
import { ConversationRecord, ConversationSchema } from './schemas/conversation.schema';
import { CourseRecord, CourseSchema } from './schemas/course.schema';
import { CourseModuleRecord, CourseModuleSchema } from './schemas/course-module.schema';
import { EnrollmentRecord, EnrollmentSchema } from './schemas/enrollment.schema';
import { GradeRecord, GradeSchema } from './schemas/grade.schema';
import { CounterRecord, CounterSchema, IndexChangeRecord, IndexChangeSchema } from './schemas/index-change.schema';
import { JobRecord, JobSchema } from './schemas/job.schema';
import { MessageRecord, MessageSchema } from './schemas/message.schema';
import { MigrationRecord, MigrationSchema } from './schemas/migration.schema';
import { ProgressRecord, ProgressSchema } from './schemas/progress.schema';
import { QuestionRecord, QuestionSchema } from './schemas/question.schema';
import { ResourceRecord, ResourceSchema } from './schemas/resource.schema';
import { ReviewCardRecord, ReviewCardSchema } from './schemas/review-card.schema';
import { SessionRecord, SessionSchema } from './schemas/session.schema';
import { DailyUsageRecord, DailyUsageSchema } from './schemas/usage.schema';
import { UserRecord, UserSchema } from './schemas/user.schema';

/**
 * Every collection of the application, as `MongooseModule.forFeature` registers it. Each schema
 * names its collection (`@Schema({ collection })`), the name repositories ask the store for. A new
 * repository's collection is added here (the MongoDB smoke test checks that none is missing).
 */
export const APPLICATION_MODELS: readonly ModelDefinition[] = [
  { name: AuditEntryRecord.name, schema: AuditEntrySchema },
  { name: ChunkRecord.name, schema: ChunkSchema },
  { name: ConversationRecord.name, schema: ConversationSchema },
  { name: CounterRecord.name, schema: CounterSchema },
  { name: CourseRecord.name, schema: CourseSchema },
  { name: CourseModuleRecord.name, schema: CourseModuleSchema },
  { name: EnrollmentRecord.name, schema: EnrollmentSchema },
  { name: GradeRecord.name, schema: GradeSchema },
  { name: IndexChangeRecord.name, schema: IndexChangeSchema },
  { name: JobRecord.name, schema: JobSchema },
  { name: MessageRecord.name, schema: MessageSchema },
  { name: MigrationRecord.name, schema: MigrationSchema },
  { name: ProgressRecord.name, schema: ProgressSchema },
  { name: QuestionRecord.name, schema: QuestionSchema },
  { name: ResourceRecord.name, schema: ResourceSchema },
  { name: ReviewCardRecord.name, schema: ReviewCardSchema },
  { name: SessionRecord.name, schema: SessionSchema },
  { name: DailyUsageRecord.name, schema: DailyUsageSchema },
  { name: UserRecord.name, schema: UserSchema },
];
