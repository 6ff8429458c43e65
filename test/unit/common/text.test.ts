import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { analyseText, detectLanguage, splitSentences, stem, terms, words } from '../../../src/common/text';

describe('text helpers', () => {
  it('should fold accents and split elisions so French words match their plain form', () => {
    assert.deepEqual(words("L'élève écrit"), ['eleve', 'ecrit']);
  });

  it('should drop stopwords and bring plural and singular to one stem', () => {
    const [plural, singular, ...rest] = terms('The functions and a function');
    assert.equal(rest.length, 0);
    assert.equal(plural, singular);
  });

  it("should split longer French elisions such as qu' and lorsqu'", () => {
    assert.deepEqual(words("Qu'est-ce qu'une liste, lorsqu'on trie jusqu'au bout ?"), [
      'est',
      'ce',
      'une',
      'liste',
      'on',
      'trie',
      'au',
      'bout',
    ]);
  });

  it('should bring inflections of one word to one stem', () => {
    const groups = [
      ['dictionary', 'dictionaries'],
      ['copy', 'copies', 'copied', 'copying'],
      ['iterate', 'iterating', 'iteration', 'iterations'],
      ['class', 'classes'],
      ['running', 'run', 'runs'],
      ['ancien', 'ancienne', 'anciennes'],
      ['appel', 'appelle', 'appelée'],
      ['journal', 'journaux'],
      ['comment', 'comments'],
    ];
    for (const group of groups) {
      const stems = new Set(group.map((word) => stem(words(word)[0])));
      assert.equal(stems.size, 1, `${group.join(', ')} gave ${[...stems].join(', ')}`);
    }
    assert.notEqual(stem('comment'), stem('common'));
    assert.notEqual(stem('staying'), stem('stain'));
  });

  it("should drop the stopwords of the text's own language only", () => {
    assert.ok(terms('Why do people in a car lean forward when it brakes?').includes('car'));
    assert.ok(!terms('Il reste chez lui, car il pleut et le vent souffle.').includes('car'));
    assert.ok(terms('Que fait une boucle while ?').includes(stem('while')));
    assert.ok(terms('Pourquoi la boucle for tourne-t-elle sans fin ?').includes(stem('for')));
    assert.deepEqual(analyseText('Que fait une boucle while ?').language, 'fr');
    assert.deepEqual(analyseText('What does a while loop do?').language, 'en');
    assert.equal(analyseText('mitochondria').language, undefined);
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
