import { Card, createEmptyCard, fsrs, Grade, Rating } from 'ts-fsrs';
import type { ReviewCard } from './review-cards.repository';

/** The part of a review card FSRS keeps: everything but whose card it is. */
export type Schedule = Pick<
  ReviewCard,
  'due' | 'stability' | 'difficulty' | 'scheduledDays' | 'learningSteps' | 'reps' | 'lapses' | 'state' | 'lastReview' | 'lastPercentage'
>;

/** API.md, Evaluation: 90 % or more rates Easy, 70 % Good, 40 % Hard, anything below Again. */
export function ratingFor(percentage: number): Grade {
  if (percentage >= 90) return Rating.Easy;
  if (percentage >= 70) return Rating.Good;
  if (percentage >= 40) return Rating.Hard;
  return Rating.Again;
}

/**
 * FSRS with ts-fsrs's default parameters (90 % requested retention, learning steps of 1 and 10
 * minutes). Fuzz stays off, its default: the same answers give the same schedule, which a teacher
 * reading the class view (and a test) can rely on.
 */
const scheduler = fsrs();

function toCard(schedule: Schedule): Card {
  return {
    due: schedule.due,
    stability: schedule.stability,
    difficulty: schedule.difficulty,
    elapsed_days: 0,
    scheduled_days: schedule.scheduledDays,
    learning_steps: schedule.learningSteps,
    reps: schedule.reps,
    lapses: schedule.lapses,
    state: schedule.state,
    ...(schedule.lastReview ? { last_review: schedule.lastReview } : {}),
  };
}

/** The schedule after an answer graded `percentage` at `now`; a first answer starts from a new card. */
export function nextSchedule(previous: Schedule | null, percentage: number, now: Date): Schedule {
  const card = previous ? toCard(previous) : createEmptyCard(now);
  const { card: next } = scheduler.next(card, now, ratingFor(percentage));
  return {
    due: next.due,
    stability: next.stability,
    difficulty: next.difficulty,
    scheduledDays: next.scheduled_days,
    learningSteps: next.learning_steps,
    reps: next.reps,
    lapses: next.lapses,
    state: next.state,
    lastReview: next.last_review ?? now,
    lastPercentage: percentage,
  };
}
