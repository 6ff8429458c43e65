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

  async stats(): Promise<StatsDto> {
    const now = this.clock.now();
    const days = Array.from({ length: STATS_DAYS }, (_, i) => dayOf(new Date(now.getTime() - (STATS_DAYS - 1 - i) * 86_400_000)));
    const [users, conversations, messages, grades, percentages, allUsage] = await Promise.all([
      this.users.count(),
      this.conversations.count(),
      this.messages.count(),
      this.grades.count(),
      this.grades.percentages(),
      this.usage.between('0000-01-01', dayOf(now)),
    ]);
    const byDay = new Map(days.map((date) => [date, { date, prompt: 0, completion: 0, total: 0 }]));
    const tokens = { prompt: 0, completion: 0, total: 0 };
    for (const row of allUsage) {
      tokens.prompt += row.promptTokens;
      tokens.completion += row.completionTokens;
      const day = byDay.get(row.day);
      if (day) {
        day.prompt += row.promptTokens;
        day.completion += row.completionTokens;
      }
    }
    tokens.total = tokens.prompt + tokens.completion;
    for (const day of byDay.values()) day.total = day.prompt + day.completion;
    const average = percentages.length > 0 ? Math.round((percentages.reduce((a, b) => a + b, 0) / percentages.length) * 100) / 100 : 0;
    return { users, conversations, messages, grades, average_percentage: average, tokens, tokens_by_day: [...byDay.values()] };
  }
}
