/**
 * Mastery is the recency-weighted mean of a learner's percentages in a module, in 0–1. A grade given
 * at time t weighs exp((t − EPOCH) / TAU): a grade 30 days newer than another counts e ≈ 2.7 times as
 * much (a half-life of about 21 days). Weights grow with time rather than decay, so adding a grade
 * is a plain increment of two sums, which both storage modes do atomically.
 */
const EPOCH_MS = Date.UTC(2025, 0, 1);
const TAU_MS = 30 * 86_400_000;

export function recencyWeight(at: Date): number {
  return Math.exp((at.getTime() - EPOCH_MS) / TAU_MS);
}

export function masteryOf(weightedPercent: number, weight: number): number {
  if (weight <= 0) return 0;
  return Math.min(1, Math.max(0, weightedPercent / weight / 100));
}
