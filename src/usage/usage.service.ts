import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LlmCallRecord, LlmCallRecorder } from '../infrastructure/llm';
import { MetricsService } from '../observability/metrics.service';
import { UsageRepository } from './usage.repository';

export interface UsageTotals {
  requests: number;
  tokens: number;
}

export interface UserUsage {
  today: UsageTotals;
  month: UsageTotals;
  limits: { chat_requests_per_minute: number; evaluation_requests_per_minute: number };
}

export const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** Model usage per user and per day: written for every model call, read by users and admins. */
@Injectable()
export class UsageService implements LlmCallRecorder {
  private readonly logger = new Logger('Usage');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usage: UsageRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Called by the metered model provider after each call made for a user. */
  async record(call: LlmCallRecord): Promise<void> {
    this.metrics.observeLlmCall({ ...call, promptTokens: call.usage.promptTokens, completionTokens: call.usage.completionTokens });
    // One line per model call: who it was for, what it cost, how it went.
    this.logger.log(
      `model call ${call.provider}/${call.model} task=${call.task} outcome=${call.outcome} user=${call.userId ?? '-'} ` +
        `prompt_tokens=${call.usage.promptTokens} completion_tokens=${call.usage.completionTokens} duration_ms=${Math.round(call.durationMs)}`,
    );
    if (!call.userId) return;
    await this.usage.add(call.userId, dayOf(this.clock.now()), call.usage.promptTokens, call.usage.completionTokens);
  }

  async forUser(userId: string): Promise<UserUsage> {
    const now = this.clock.now();
    const today = dayOf(now);
    const days = await this.usage.between(`${today.slice(0, 7)}-01`, today, userId);
    const sum = (rows: typeof days): UsageTotals => ({
      requests: rows.reduce((n, d) => n + d.requests, 0),
      tokens: rows.reduce((n, d) => n + d.promptTokens + d.completionTokens, 0),
    });
    return {
      today: sum(days.filter((d) => d.day === today)),
      month: sum(days),
      limits: {
        chat_requests_per_minute: this.config.chat.requestsPerMinute,
        evaluation_requests_per_minute: this.config.evaluation.requestsPerMinute,
      },
    };
  }

  onRecordError = (error: unknown): void => {
    this.logger.error(`Recording model usage failed: ${error instanceof Error ? error.message : String(error)}`);
  };
}
