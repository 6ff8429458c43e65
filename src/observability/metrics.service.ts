import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobCounts, JobOutcome } from '../infrastructure/jobs/job-queue';
import { HttpRequestMetrics } from './http-request-metrics';

/**
 * Prometheus metrics of one application instance. A registry of its own (not prom-client's global
 * one), so several apps in one process (tests) never mix their figures.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly requests = new HttpRequestMetrics();
  private readonly llmCalls = new Counter({
    name: 'llm_calls_total',
    help: 'Language-model calls by provider, task and outcome',
    labelNames: ['provider', 'model', 'task', 'outcome'],
    registers: [this.registry],
  });
  private readonly llmSeconds = new Histogram({
    name: 'llm_call_duration_seconds',
    help: 'Language-model call latency',
    labelNames: ['provider', 'task'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly llmTokens = new Counter({
    name: 'llm_tokens_total',
    help: 'Tokens used by language-model calls',
    labelNames: ['provider', 'kind'],
    registers: [this.registry],
  });
  private readonly embeddingCalls = new Counter({
    name: 'embedding_calls_total',
    help: 'Embedding requests by purpose',
    labelNames: ['purpose'],
    registers: [this.registry],
  });
  private readonly embeddedTexts = new Counter({
    name: 'embedding_texts_total',
    help: 'Texts embedded',
    labelNames: ['purpose'],
    registers: [this.registry],
  });
  private readonly indexJobs = new Counter({
    name: 'index_jobs_total',
    help: 'Index rebuild jobs by final status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly indexChunks = new Gauge({ name: 'index_chunks', help: 'Chunks in the live index', registers: [this.registry] });
  private readonly jobOutcomes = new Counter({
    name: 'background_jobs_total',
    help: 'Background job attempts by job and outcome (completed, retried, failed, interrupted)',
    labelNames: ['job', 'outcome'],
    registers: [this.registry],
  });
  private jobCounts?: () => Promise<JobCounts>;
  private readonly queueDepth: Gauge<'state'> = new Gauge({
    name: 'background_jobs_queued',
    help: 'Background jobs by state: waiting, active, delayed (waiting for a retry); across every instance on BullMQ',
    labelNames: ['state'],
    registers: [this.registry],
    collect: async () => {
      const counts: JobCounts | undefined = await this.jobCounts?.().catch(() => undefined);
      if (!counts) return;
      for (const state of ['waiting', 'active', 'delayed'] as const) this.queueDepth.set({ state }, counts[state]);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests.register(this.registry);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }

  observeLlmCall(call: {
    provider: string;
    model: string;
    task: string;
    outcome: string;
    durationMs: number;
    promptTokens: number;
    completionTokens: number;
  }): void {
    this.llmCalls.inc({ provider: call.provider, model: call.model, task: call.task, outcome: call.outcome });
    this.llmSeconds.observe({ provider: call.provider, task: call.task }, call.durationMs / 1000);
    this.llmTokens.inc({ provider: call.provider, kind: 'prompt' }, call.promptTokens);
    this.llmTokens.inc({ provider: call.provider, kind: 'completion' }, call.completionTokens);
  }

  observeEmbedding(purpose: 'index' | 'query', texts: number): void {
    this.embeddingCalls.inc({ purpose });
    this.embeddedTexts.inc({ purpose }, texts);
  }

  observeIndexJob(status: 'succeeded' | 'failed'): void {
    this.indexJobs.inc({ status });
  }

  observeJob(job: string, outcome: JobOutcome): void {
    this.jobOutcomes.inc({ job, outcome });
  }

  /** Where the queue depth is read from when metrics are scraped. */
  trackJobQueue(counts: () => Promise<JobCounts>): void {
    this.jobCounts = counts;
  }

  setIndexChunks(count: number): void {
    this.indexChunks.set(count);
  }
}
