import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { JobRecord, JobSchema, JobStatus } from '../infrastructure/persistence/schemas/job.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Job = Domain<JobRecord>;

@Injectable()
export class JobsRepository {
  private readonly jobs: DocumentCollection<JobRecord>;

  constructor(store: DocumentStore) {
    this.jobs = store.collection<JobRecord>({ name: 'jobs', schema: JobSchema });
  }

  async create(job: Job): Promise<Job> {
    return toDomain(await this.jobs.insertOne(toStored(job)));
  }

  async findById(id: string): Promise<Job | null> {
    const found = await this.jobs.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findActive(kind: string): Promise<Job | null> {
    const [found] = await this.jobs.find({ kind, status: { $in: ['queued', 'running'] } }, { sort: { _id: 1 }, limit: 1 });
    return found ? toDomain(found) : null;
  }

  async lastFinished(kind: string, status: JobStatus): Promise<Job | null> {
    const [found] = await this.jobs.find({ kind, status }, { sort: { finishedAt: -1 }, limit: 1 });
    return found ? toDomain(found) : null;
  }

  async update(id: string, patch: Partial<Omit<Job, 'id'>>): Promise<Job | null> {
    const updated = await this.jobs.updateOne({ _id: id }, { $set: patch });
    return updated && toDomain(updated);
  }
}
