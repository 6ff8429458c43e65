import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage, splitSentences, terms, words } from '../../../src/common/text';

describe('text helpers', () => {
  it('should fold accents and split elisions so French words match their plain form', () => {
    assert.deepEqual(words("L'élève écrit"), ['eleve', 'ecrit']);
  });

  it('should drop stopwords and bring plural and singular to one stem', () => {
    const [plural, singular, ...rest] = terms('The functions and a function');
    assert.equal(rest.length, 0);
    assert.equal(plural, singular);
  });

  it('should tell French from English', () => {
    assert.equal(detectLanguage("Qu'est-ce qu'une variable et pourquoi l'utiliser ?"), 'fr');
    assert.equal(detectLanguage('What is a variable and why would I use it?'), 'en');
  });

  it('should split sentences without breaking decimals or abbreviations', () => {
    assert.deepEqual(splitSentences('Pi is about 3.14 in value. Use e.g. a float! Then stop.'), [
      'Pi is about 3.14 in value.',
      'Use e.g. a float!',
      'Then stop.',
    ]);
  });
});
