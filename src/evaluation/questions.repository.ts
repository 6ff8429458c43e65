import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { QuestionRecord, QuestionSchema } from '../infrastructure/persistence/schemas/question.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type StoredQuestion = Domain<QuestionRecord>;

@Injectable()
export class QuestionsRepository {
  private readonly questions: DocumentCollection<QuestionRecord>;

  constructor(store: DocumentStore) {
    this.questions = store.collection<QuestionRecord>({ name: 'questions', schema: QuestionSchema });
  }

  async create(question: StoredQuestion): Promise<StoredQuestion> {
    return toDomain(await this.questions.insertOne(toStored(question)));
  }

  async findById(id: string): Promise<StoredQuestion | null> {
    const found = await this.questions.findOne({ _id: id });
    return found && toDomain(found);
  }

  /** A deleted module's questions go with it. */
  deleteByModule(moduleId: string): Promise<number> {
    return this.questions.deleteMany({ moduleId });
  }

  deleteCreatedBy(userId: string): Promise<number> {
    return this.questions.deleteMany({ createdBy: userId });
  }
}
