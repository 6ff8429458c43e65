import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ChatMessage, GroundingPassage } from '../../../src/infrastructure/llm/llm.types';
import { composeTutorAnswer, coversQuestion } from '../../../src/infrastructure/llm/local-tutor-answer';

/** Reworded reading-comprehension questions, follow-ups and other-subject questions, on the local composer itself. */

const ERIE: GroundingPassage = {
  index: 1,
  title: 'The Erie Canal',
  text:
    'The Erie Canal is a historic waterway in New York State that connects the Hudson River to Lake Erie. ' +
    'Construction began in 1817 and the original canal opened on October 26, 1825. ' +
    'The project was championed by Governor DeWitt Clinton, whose critics mocked it as "Clinton\'s Ditch". ' +
    'Today the canal is used mostly by recreational boats.',
};

const PANAMA: GroundingPassage = {
  index: 1,
  title: 'passage-1.txt',
  text:
    'The Panama Canal is an artificial waterway in Panama that connects the Atlantic Ocean with the Pacific Ocean. ' +
    'France began work on the canal in 1881 under Ferdinand de Lesseps, the builder of the Suez Canal, but the effort failed because of engineering problems and disease. ' +
    'The United States took over the project in 1904 and opened the canal on August 15, 1914.',
  // What the local embedding gives this passage for the questions below.
  localSimilarity: 0.3,
};

const OCTOPUS: GroundingPassage = {
  index: 2,
  title: 'Octopuses',
  text:
    'An octopus has three hearts: two pump blood through the gills, while the third pumps it through the rest of the body. ' +
    'Most octopuses live only one to two years. ' +
    'The first two octopus fossils ever found came from Illinois.',
};

const HUBBLE: GroundingPassage = {
  index: 1,
  title: 'The Hubble Space Telescope',
  text:
    'The Hubble Space Telescope is a space telescope that was launched into low Earth orbit by the Space Shuttle Discovery in April 1990. ' +
    'It is named after the astronomer Edwin Hubble, who showed that the universe is expanding. ' +
    'Soon after launch, engineers found that its main mirror had been ground to the wrong shape, which made its first images blurry. ' +
    'A servicing mission by astronauts in December 1993 installed corrective optics and fixed the flaw. ' +
    'Because it orbits above the atmosphere, Hubble can take images free of the distortion caused by air. ' +
    'Its observations helped astronomers measure the age of the universe at about 13.8 billion years. ' +
    'The telescope was built by NASA with contributions from the European Space Agency.',
};

const CURIE: GroundingPassage = {
  index: 1,
  title: 'Marie Curie',
  text:
    'In 1898, together with her husband Pierre Curie, she discovered two new elements, polonium and radium. ' +
    'She named polonium after her native country. She was born in Warsaw.',
  localSimilarity: 0.35,
};

const STAGES: GroundingPassage[] = [
  {
    index: 1,
    title: 'photosynthesis.md',
    location: { heading: 'Photosynthesis > The two stages > The light-dependent reactions' },
    text:
      'The first stage happens in the thylakoid membranes and needs light. ' +
      'Chlorophyll absorbs light energy, which is used to split water molecules; this splitting releases oxygen gas. ' +
      'The captured energy is stored temporarily in two carrier molecules, ATP and NADPH, which will power the next stage.',
  },
  {
    index: 2,
    title: 'photosynthesis.md',
    location: { heading: 'Photosynthesis > The two stages > The Calvin cycle' },
    text:
      'The second stage takes place in the stroma and does not use light directly, which is why it was once called the dark reactions, although it normally runs during the day. ' +
      'In this cycle, carbon dioxide from the air is attached to an existing five-carbon molecule by an enzyme called RuBisCO.',
  },
];

function answer(question: string, passages: GroundingPassage[], history: ChatMessage[] = []) {
  return composeTutorAnswer({ kind: 'tutor_answer', question, history, passages, language: 'en' });
}

describe('local tutor answers to reworded and other-subject questions', () => {
  it('should meet a reworded question through a synonym ("promoted" for "championed")', () => {
    const result = answer('Who promoted the building of the canal?', [ERIE]);
    assert.match(result.text, /DeWitt Clinton/);
    assert.deepEqual(result.cited, [1]);
  });

  it('should read a sentence opening on "It" as speaking of its passage’s subject', () => {
    const result = answer('Who is the telescope named after?', [HUBBLE, { ...CURIE, index: 2 }]);
    // The sentence that answers comes first, before the one that only repeats "telescope".
    assert.match(result.text, /^It is named after the astronomer Edwin Hubble/);
  });

  it('should answer "which two…" with the one sentence naming both, not a sentence per part', () => {
    const result = answer('Which two oceans does the canal join?', [PANAMA, OCTOPUS]);
    assert.match(result.text, /Atlantic Ocean with the Pacific Ocean/);
    assert.doesNotMatch(result.text, /hearts/);
  });

  it('should take "the French attempt" to be about France, not a name the passage lacks', () => {
    const result = answer('Who led the French attempt?', [PANAMA]);
    assert.match(result.text, /Ferdinand de Lesseps/);
    assert.ok(coversQuestion('Who led the French attempt?', [PANAMA]));
  });

  it('should keep a name with an initial whole ("Franklin D. Roosevelt")', () => {
    const BRIDGE: GroundingPassage = {
      index: 1,
      title: 'The bridge',
      text: 'The bridge crosses the bay in two spans. It was opened by President Franklin D. Roosevelt in 1936 after three years of work.',
    };
    assert.match(answer('Who opened the bridge?', [BRIDGE]).text, /Franklin D\. Roosevelt in 1936/);
  });

  it('should give the cause before a sentence opening "As a result…" when asked why', () => {
    const LAKE: GroundingPassage = {
      index: 1,
      title: 'The lake',
      text:
        'The lake is fed by a single river. Most of the river water is now pumped away to irrigate cotton fields. ' +
        'As a result the lake has been shrinking every year.',
    };
    const result = answer('Why is the lake shrinking?', [LAKE]);
    assert.match(result.text, /pumped away to irrigate cotton fields/);
  });

  it('should decline a two-word question when one of its words is found nowhere ("Who discovered gravity?")', () => {
    const result = answer('Who discovered gravity?', [CURIE]);
    assert.equal(result.grounded, false);
    assert.deepEqual(result.cited, []);
    assert.equal(coversQuestion('Who discovered gravity?', [CURIE]), false);
    // The passage's own subject is still answered.
    assert.match(answer('Who discovered polonium?', [CURIE]).text, /Pierre Curie/);
  });

  it('should still answer "What is a list in Python?" from a course that never names Python', () => {
    const LISTS: GroundingPassage = {
      index: 1,
      title: 'Python lists',
      text: 'A list is an ordered collection of values written between square brackets. Lists can change after they are created.',
      localSimilarity: 0.4,
    };
    const result = answer('What is a list in Python?', [LISTS]);
    assert.match(result.text, /A list is an ordered collection/);
    assert.ok(coversQuestion('What is a list in Python?', [LISTS]));
  });

  it('should decline a question quoting code that no passage writes ("range(5)" in a statistics lesson)', () => {
    const STATISTICS: GroundingPassage = {
      index: 1,
      title: 'Describing data',
      text:
        'The mean, median and mode describe the centre of a data set. ' +
        'The range, variance, standard deviation and interquartile range describe spread. ' +
        'A net force of 10 newtons applied to a 2 kilogram trolley produces an acceleration of 5 metres per second squared.',
      localSimilarity: 0.35,
    };
    const PYTHON: GroundingPassage = {
      index: 1,
      title: 'Loops',
      text: 'The built-in range() produces a sequence of numbers: range(5) produces the numbers 0, 1, 2, 3 and 4.',
    };
    const declined = answer('What does range(5) produce?', [STATISTICS]);
    assert.deepEqual(declined.cited, []);
    assert.equal(coversQuestion('What does range(5) produce?', [STATISTICS]), false);
    assert.match(answer('What does range(5) produce?', [PYTHON]).text, /0, 1, 2, 3 and 4/);
  });

  it('should name each of "the two stages" by its section and answer why the second needs the first', () => {
    const first = answer('Explain the two stages of photosynthesis in simple words.', STAGES);
    assert.match(first.text, /The light-dependent reactions: The first stage/);
    assert.match(first.text, /The Calvin cycle: The second stage/);
    const history: ChatMessage[] = [
      { role: 'user', content: 'Explain the two stages of photosynthesis in simple words.' },
      { role: 'assistant', content: first.text },
    ];
    const why = answer('Why does the second one need the first?', STAGES, history);
    assert.match(why.text, /ATP and NADPH, which will power the next stage/);
    assert.deepEqual(why.cited, [1]);
  });
});
