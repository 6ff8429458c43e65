import { Injectable } from '@nestjs/common';
import { ConversationsRepository } from '../chat/conversations.repository';
import { MessagesRepository } from '../chat/messages.repository';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { GradesRepository } from '../evaluation/grades.repository';
import { dayOf } from '../usage/usage.service';
import { UsageRepository } from '../usage/usage.repository';
import { UsersRepository } from '../users/users.repository';
import { StatsDto } from './admin.dto';

const STATS_DAYS = 30;
/** Usage days are `YYYY-MM-DD` strings: every one sorts after this. */
const FIRST_DAY = '0000-01-01';

@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersRepository,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly grades: GradesRepository,
    private readonly usage: UsageRepository,
    private readonly clock: Clock,
  ) {}

  async conversationWithMessages(id: string) {
    const conversation = await this.conversations.findById(id);
    if (!conversation) throw ApiError.notFound('conversation');
    return { conversation, messages: await this.messages.forConversation(id) };
  }

  /** Counts, sums and averages computed by the store (MongoDB aggregations), never by reading every row here. */
  async stats(): Promise<StatsDto> {
    const today = dayOf(this.clock.now());
    const days = Array.from({ length: STATS_DAYS }, (_, i) => dayOf(new Date(Date.parse(today) - (STATS_DAYS - 1 - i) * 86_400_000)));
    const [users, conversations, messages, grades, averagePercentage, totals, byDay] = await Promise.all([
      this.users.count(),
      this.conversations.count(),
      this.messages.count(),
      this.grades.count(),
      this.grades.averageCountedPercentage(),
      this.usage.totals(FIRST_DAY, today),
      this.usage.totalsByDay(days[0], today),
    ]);
    const used = new Map(byDay.map((row) => [row.day, row]));
    const tokensByDay = days.map((date) => {
      const prompt = used.get(date)?.promptTokens ?? 0;
      const completion = used.get(date)?.completionTokens ?? 0;
      return { date, prompt, completion, total: prompt + completion };
    });
    const tokens = {
      prompt: totals.promptTokens,
      completion: totals.completionTokens,
      total: totals.promptTokens + totals.completionTokens,
    };
    const average = averagePercentage === null ? 0 : Math.round(averagePercentage * 100) / 100;
    return { users, conversations, messages, grades, average_percentage: average, tokens, tokens_by_day: tokensByDay };
  }
}
