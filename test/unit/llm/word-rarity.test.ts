import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { STEMMED_COUNTS_FILE, stemWordList, zipfFrequency } from '../../../src/infrastructure/llm/word-rarity';
import { baseStem } from '../../../src/infrastructure/llm/tutor-lexicon';

describe('everyday-English word frequencies', () => {
  it('are read from the table the build writes, which holds what stemming the word list gives', () => {
    const written = new Map(JSON.parse(readFileSync(STEMMED_COUNTS_FILE, 'utf8')) as [string, number][]);
    const stemmed = stemWordList();
    assert.ok(stemmed.size > 10_000, `${stemmed.size} stems`);
    assert.deepEqual(written, stemmed);
  });

  it('rank everyday words above subject words', () => {
    assert.ok(zipfFrequency(baseStem('water')) > 5);
    assert.ok(zipfFrequency(baseStem('helium')) < 3.5);
    assert.ok(zipfFrequency(baseStem('water')) > zipfFrequency(baseStem('expedition')));
  });
});
