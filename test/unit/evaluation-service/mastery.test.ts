import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { masteryOf, recencyWeight } from '../../../src/evaluation/mastery';

const day = 86_400_000;

describe('recencyWeight', () => {
  it('should weigh a grade 30 days newer e times more', () => {
    const at = new Date('2025-06-01T00:00:00Z');
    const later = new Date(at.getTime() + 30 * day);
    assert.ok(Math.abs(recencyWeight(later) / recencyWeight(at) - Math.E) < 1e-9);
  });

  it('should halve the relative weight of a grade in about 21 days', () => {
    const at = new Date('2025-06-01T00:00:00Z');
    const ratio = recencyWeight(at) / recencyWeight(new Date(at.getTime() + 21 * day));
    assert.ok(ratio > 0.49 && ratio < 0.51, String(ratio));
  });

  it('should stay finite and positive for dates years away', () => {
    for (const iso of ['2020-01-01T00:00:00Z', '2035-01-01T00:00:00Z']) {
      const weight = recencyWeight(new Date(iso));
      assert.ok(Number.isFinite(weight) && weight > 0, iso);
    }
  });
});

describe('masteryOf', () => {
  it('should be the weighted mean percentage as a fraction', () => {
    const old = new Date('2025-05-01T00:00:00Z');
    const recent = new Date('2025-06-30T00:00:00Z');
    const [w1, w2] = [recencyWeight(old), recencyWeight(recent)];
    const mastery = masteryOf(w1 * 20 + w2 * 80, w1 + w2);
    assert.ok(mastery > 0.5 && mastery < 0.8, 'the recent 80 % counts more than the old 20 %');
    assert.ok(Math.abs(mastery - (w1 * 0.2 + w2 * 0.8) / (w1 + w2)) < 1e-12);
  });

  it('should be 0 without attempts and stay within 0–1', () => {
    assert.equal(masteryOf(0, 0), 0);
    assert.equal(masteryOf(100, 1), 1);
    assert.equal(masteryOf(150, 1), 1);
    assert.equal(masteryOf(-5, 1), 0);
  });
});
