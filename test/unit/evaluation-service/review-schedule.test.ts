import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Rating, State } from 'ts-fsrs';
import { nextSchedule, ratingFor, Schedule } from '../../../src/evaluation/review-schedule';

const minute = 60_000;
const day = 86_400_000;
const start = new Date('2026-03-02T09:00:00Z');

/** Answers one card at each due date in turn, with these percentages. */
function answerInTurn(percentages: number[]): Schedule[] {
  const schedules: Schedule[] = [];
  let previous: Schedule | null = null;
  let now = start;
  for (const percentage of percentages) {
    previous = nextSchedule(previous, percentage, now);
    schedules.push(previous);
    now = previous.due;
  }
  return schedules;
}

describe('ratingFor', () => {
  it('should rate 90 % and above Easy, 70 % Good, 40 % Hard and below Again, at the exact boundaries', () => {
    const cases: [number, Rating][] = [
      [100, Rating.Easy],
      [90, Rating.Easy],
      [89.99, Rating.Good],
      [70, Rating.Good],
      [69.99, Rating.Hard],
      [40, Rating.Hard],
      [39.99, Rating.Again],
      [0, Rating.Again],
    ];
    for (const [percentage, rating] of cases) assert.equal(ratingFor(percentage), rating, `${percentage} %`);
  });
});

describe('nextSchedule', () => {
  it('should bring a first wrong answer back within minutes and a first perfect one after days', () => {
    const wrong = nextSchedule(null, 10, start);
    const perfect = nextSchedule(null, 100, start);
    assert.ok(wrong.due.getTime() - start.getTime() <= 10 * minute, wrong.due.toISOString());
    assert.equal(wrong.state, State.Learning);
    assert.ok(perfect.due.getTime() - start.getTime() >= day, perfect.due.toISOString());
    assert.equal(perfect.state, State.Review);
    for (const schedule of [wrong, perfect]) {
      assert.equal(schedule.reps, 1);
      assert.deepEqual(schedule.lastReview, start);
    }
    assert.equal(wrong.lastPercentage, 10);
  });

  it('should order first intervals by the rating: Again before Hard before Good before Easy', () => {
    const dues = [20, 50, 80, 95].map((p) => nextSchedule(null, p, start).due.getTime());
    assert.deepEqual(
      [...dues].sort((a, b) => a - b),
      dues,
    );
    assert.equal(new Set(dues).size, 4);
  });

  it('should lengthen the interval with each good answer and shorten it after a lapse', () => {
    const good = answerInTurn([95, 95, 95, 95]);
    const intervals = good.map((s, i) => s.due.getTime() - (i === 0 ? start : good[i - 1]!.due).getTime());
    for (let i = 1; i < intervals.length; i++) assert.ok(intervals[i]! > intervals[i - 1]!, `interval ${i} grew`);
    assert.deepEqual(
      good.map((s) => s.reps),
      [1, 2, 3, 4],
    );

    const lapsed = answerInTurn([95, 95, 95, 95, 10]);
    const last = lapsed[lapsed.length - 1]!;
    assert.equal(last.lapses, 1);
    assert.equal(last.state, State.Relearning);
    assert.ok(last.due.getTime() - lapsed[3]!.due.getTime() < intervals[3]!, 'a forgotten card comes back sooner');
  });

  it('should schedule the same answers the same way (no fuzz)', () => {
    assert.deepEqual(answerInTurn([80, 60, 95]), answerInTurn([80, 60, 95]));
  });
});
