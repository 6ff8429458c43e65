import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { LocalHashingEmbedding } from '../../../src/index/engine';

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

describe('LocalHashingEmbedding', () => {
  const embedding = new LocalHashingEmbedding();

  it('should name its model and give unit vectors of 384 dimensions by default', async () => {
    const vector = await embedding.getTextEmbedding('A list holds items in order.');
    assert.equal(embedding.modelName, 'local-hash-v2');
    assert.equal(embedding.embedInfo?.dimensions, 384);
    assert.equal(vector.length, 384);
    assert.ok(Math.abs(cosine(vector, vector) - 1) < 1e-6);
  });

  it('should give the same vector for the same text every time', async () => {
    const [first, second] = await embedding.getTextEmbeddings(['Recursion needs a base case.', 'Recursion needs a base case.']);
    assert.deepEqual(first, second);
    assert.deepEqual(Array.from(new LocalHashingEmbedding().embed('Recursion needs a base case.')), first);
  });

  it('should bring a misspelt or French word close to its English form', () => {
    const dictionary = embedding.embed('A dictionary maps keys to values.');
    const unrelated = embedding.embed('A while loop repeats while its condition holds.');
    for (const query of ['dictionnaire', 'dictionry']) {
      const q = embedding.embed(query);
      assert.ok(cosine(q, dictionary) > cosine(q, unrelated) + 0.1, query);
    }
  });

  it('should prefer the passage written in the language of the question', () => {
    const english = embedding.embed('A Python variable names a value in memory.');
    const french = embedding.embed('Une variable Python nomme une valeur en mémoire.');
    const inFrench = embedding.embed("Qu'est-ce qu'une variable en Python ?");
    const inEnglish = embedding.embed('What is a variable in Python?');
    assert.ok(cosine(inFrench, french) > cosine(inFrench, english));
    assert.ok(cosine(inEnglish, english) > cosine(inEnglish, french));
  });

  it('should map a text with no content word to the zero vector', () => {
    assert.ok(embedding.embed('the of and').every((value) => value === 0));
  });

  it('should change its model name when its settings change the vectors', () => {
    assert.notEqual(new LocalHashingEmbedding({ minGram: 2 }).modelName, embedding.modelName);
    assert.notEqual(new LocalHashingEmbedding({ languageWeight: 0 }).modelName, embedding.modelName);
    assert.equal(new LocalHashingEmbedding({ dimensions: 256 }).embed('list').length, 256);
  });
});
