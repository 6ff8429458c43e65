import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ChatMessage, GroundingPassage } from '../../../src/infrastructure/llm/llm.types';
import { composeTutorAnswer, coversQuestion, questionType } from '../../../src/infrastructure/llm/local-tutor-answer';

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

  it('should answer a reworded question whose answer-kind noun and verb the passage does not use ("Which island…reached")', () => {
    const plague: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The Black Death was a plague pandemic that killed millions of people in the fourteenth century. ' +
        'In October 1347 twelve Genoese trading galleys carrying the plague docked at Messina, a port on Sicily. ' +
        'Within a few years the disease had spread across the continent.',
    };
    const result = answer('Which island was first reached by the trading galleys carrying the plague?', [plague]);
    assert.match(result.text, /Sicily/);
    assert.deepEqual(result.cited, [1]);
    // "The infected galleys": a participle qualifies the subject, even after "the".
    assert.match(answer('Which island did the infected trading galleys reach?', [plague]).text, /Sicily/);
    // Its subject words still have to be found: the same kind of question about something else is declined.
    assert.deepEqual(answer('Which island was first reached by the Viking longships?', [plague]).cited, []);
    // Nor does a passage naming the one place a question gives answer what it asks of that place.
    const coffee: GroundingPassage = {
      index: 1,
      title: 'Coffee',
      text: 'Coffee is brewed from roasted coffee beans. Brazil has been the largest producer of coffee for more than 150 years.',
    };
    assert.deepEqual(answer('What language is spoken in Brazil?', [coffee]).cited, []);
  });

  it('should let the first question word decide the type ("What is the name of the state…when…" asks a name)', () => {
    const tardigrades: GroundingPassage = {
      index: 1,
      title: 'Tardigrades',
      text:
        'Tardigrades are microscopic animals with eight legs that live in mosses and lichens. ' +
        'When their surroundings dry out in summer, tardigrades shrink and lose almost all their water. ' +
        'In that state they enter cryptobiosis, in which their metabolism nearly stops.',
    };
    const question = 'What is the name of the state tardigrades enter when they dry out?';
    assert.equal(questionType(question), 'definition');
    assert.equal(questionType('When do tardigrades enter that state?'), 'when');
    // "the word X" only frames the asked term: it still asks a meaning.
    assert.equal(questionType('What does the word cryptobiosis mean?'), 'definition');
    const result = answer(question, [tardigrades]);
    assert.match(result.text, /^In that state they enter cryptobiosis/);
  });

  it('should read a pronoun after an opening phrase as the subject ("With a salinity of 34 percent, it is…")', () => {
    const deadSea: GroundingPassage = {
      index: 1,
      title: 'article-5.txt',
      text:
        'The Dead Sea is a salt lake bordered by Jordan to the east and by Israel and the West Bank to the west. ' +
        'Its surface lies about 430 metres below sea level, the lowest point on land on Earth. ' +
        'With a salinity of around 34 percent, it is almost ten times as salty as the ocean, which makes swimmers float easily. ' +
        'The high salt content prevents fish and plants from living in it, which gave the lake its name. ' +
        'The main source of its water is the Jordan River, but much of that water is now diverted for farming and drinking. ' +
        'As a result the level of the lake has been falling by more than one metre a year. ' +
        'The ancient Dead Sea Scrolls were found in caves near its northern shore between 1947 and 1956.',
    };
    // The sentence naming the salinity says "it" for the lake, after an opening phrase.
    assert.match(answer('How salty is the Dead Sea?', [deadSea]).text, /With a salinity of around 34 percent/);
  });

  it('should meet an adjective in -y through its noun ("salty" for "salt")', () => {
    const brine: GroundingPassage = {
      index: 1,
      title: 'article-6.txt',
      text: 'Brine pools form on the sea floor where water seeps through thick salt deposits. Few animals can live in a brine pool.',
    };
    assert.match(
      answer('Why are brine pools so salty?', [brine]).text,
      /^Brine pools form on the sea floor where water seeps through thick salt deposits/,
    );
  });

  it('should decline a question giving a number that no passage writes ("Which instrument has 88 keys?")', () => {
    const organ: GroundingPassage = {
      index: 1,
      title: 'The pipe organ',
      text: 'The pipe organ is a keyboard instrument whose keys open valves that let air into its pipes. Large organs have several keyboards.',
    };
    const result = answer('Which instrument has 88 keys?', [organ]);
    assert.deepEqual(result.cited, []);
    assert.equal(coversQuestion('Which instrument has 88 keys?', [organ]), false);
  });

  const GLACIER: GroundingPassage = {
    index: 1,
    title: 'The glacier',
    text:
      'The Aletsch Glacier is the largest glacier in the Alps. Its ice flows down the valley at about 200 metres a year. ' +
      'Near its centre the ice is up to 900 metres thick.',
    localSimilarity: 0.25,
  };

  it('should add the runner-up sentence of the same passage when the best one is short ("the speed" stated as a rate)', () => {
    const result = answer('What is the speed of the Aletsch Glacier?', [GLACIER]);
    assert.match(result.text, /about 200 metres a year/);
    assert.deepEqual(result.cited, [1]);
  });

  it('should not hold the measure after "how" against a passage that gives the figure ("How fast…" of "200 metres a year")', () => {
    assert.ok(coversQuestion('How fast does the glacier move?', [GLACIER]));
    assert.match(answer('How fast does the glacier move?', [GLACIER]).text, /about 200 metres a year/);
  });

  it('should add a runner-up sentence of the same passage that holds the asked name, even when both are long', () => {
    const fairfax: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Mary Fairfax was a Scottish writer on science born in 1780 in Jedburgh, the fifth child of the naval officer William Fairfax and his wife. ' +
        "Her mother, Margaret Charters, taught her to read the Bible, though her father's long voyages at sea left the family short of money for school. " +
        'In 1812 she married her cousin and moved to London.',
      localSimilarity: 0.3,
    };
    assert.match(answer("Who was Mary Fairfax's father?", [fairfax]).text, /naval officer William Fairfax/);
  });

  it('should answer "How long is…?" with the figure and its unit, not the sentence saying "the length of…"', () => {
    const river: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The Danube River is the second largest river in Europe by discharge. ' +
        'It flows about 2,850 kilometres from the Black Forest in Germany to the Black Sea. ' +
        'The first survey of the whole length of the river was made by Austrian engineers in 1830. ' +
        'Ten countries border the river, more than any other river in the world. ' +
        'Its delta is home to over 300 species of birds.',
      localSimilarity: 0.3,
    };
    assert.match(answer('How long is the river?', [river]).text, /2,850 kilometres/);
  });

  it('should answer "How many…?" with the number of the counted thing, not a sentence sharing more words', () => {
    const fire: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The great fire of 1842 started in a bakery near the harbour, spread quickly through the narrow wooden streets of the port, ' +
        'and destroyed most of the old town over the following three days before the wind finally dropped. ' +
        'Firemen came from 12 nearby towns to fight the blaze. ' +
        'In all, 1,700 houses and 14 churches were lost, and the town was rebuilt in stone.',
      localSimilarity: 0.3,
    };
    assert.match(answer('How many houses did the fire destroy?', [fire]).text, /1,700 houses/);
  });

  it('should count the asked thing even with words between the number and it ("8,000 life-size clay soldiers")', () => {
    const tomb: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The emperor was buried in 210 BC in a vast tomb guarded by an army of clay soldiers, and six workers were later punished for robbing it. ' +
        'Archaeologists have so far found more than 8,000 life-size clay soldiers in three pits.',
      localSimilarity: 0.3,
    };
    // The sentence stating the count comes first, not the one sharing more of the question's words.
    assert.match(answer('How many soldiers are in the army?', [tomb]).text, /^Archaeologists have so far found more than 8,000/);
  });

  it('should not read a year closing a clause as the count ("In 1787, observers saw moons…")', () => {
    const planet: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Uranus is the seventh planet from the Sun and the first found with a telescope. ' +
        'In 1787, observers saw moons around Uranus for the first time. ' +
        'Astronomers now know of 28 such moons, most of them small and dark.',
      localSimilarity: 0.3,
    };
    assert.match(answer('How many moons does Uranus have?', [planet]).text, /^Astronomers now know of 28 such moons/);
  });

  it('should count the asked thing under a synonym ("How many countries…" of "six nations")', () => {
    const treaty: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The coal and steel treaty was signed in Paris in April 1951 by six European nations. ' +
        'Britain, like several other countries, refused to sign the treaty at first.',
      localSimilarity: 0.3,
    };
    const reply = answer('How many countries signed the treaty?', [treaty]).text;
    assert.match(reply, /by six European nations/);
    // "several other countries" counts nothing: the answer need not add it.
    assert.doesNotMatch(reply, /refused/);
  });

  it('should read a subject pronoun after a concessive opening as the passage subject ("Despite its bulk it feeds…")', () => {
    const koala: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The koala is a tree-dwelling marsupial native to Australia. ' +
        'Koalas sleep for up to twenty hours a day. ' +
        'Despite its bulk it feeds almost only on eucalyptus leaves, which few other animals can digest. ' +
        'Koalas are listed as vulnerable.',
      localSimilarity: 0.3,
    };
    const reply = answer('What do koalas mostly eat?', [koala]).text;
    assert.match(reply, /^Despite its bulk it feeds almost only on eucalyptus leaves/);
    // Read as naming koalas, the sentence answers fully: no other sentence about koalas is added.
    assert.doesNotMatch(reply, /vulnerable/);
  });

  it('should answer "Who founded…?" with the sentence naming the founder after "by", not one saying when', () => {
    const company: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        "The Hudson's Bay Company was a fur-trading company founded in 1670 to trade in the western territories of North America. " +
        'It sold furs in London for two centuries. ' +
        'Its western depot at Fort Vancouver was founded by chief factor John McLoughlin in 1825. ' +
        'The company later sold its lands to Canada.',
      localSimilarity: 0.3,
    };
    assert.match(
      answer("Who founded the company's western base?", [company]).text,
      /^Its western depot at Fort Vancouver was founded by chief factor John McLoughlin/,
    );
  });

  it('should answer a question asking what something is called with the sentence that names it', () => {
    const lighthouse: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The Bell Rock Lighthouse stands on a reef off the east coast of Scotland. ' +
        'The keepers lived in the tower for weeks at a time with a cat. ' +
        'Their logbooks record that the keepers fed the cat fish every morning. ' +
        'The animal was called Tibbie, after a cook in Arbroath.',
      localSimilarity: 0.3,
    };
    assert.match(answer('What did the keepers call their cat?', [lighthouse]).text, /^The animal was called Tibbie/);
  });

  it('should match a reworded question through a common paraphrase ("decline" of "weakened")', () => {
    const league: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The Hanseatic League was a network of merchant guilds and market towns in northern Europe. ' +
        'Its members traded timber, furs, grain and fish across the Baltic Sea. ' +
        'The rise of Dutch and English shipping weakened the league in the sixteenth century. ' +
        'Its last formal assembly met in 1669.',
      localSimilarity: 0.3,
    };
    assert.match(answer("What caused the league's decline?", [league]).text, /^The rise of Dutch and English shipping weakened the league/);
  });

  it('should count people by a population ("How many people lived…" of "its population had risen to 1.7 million")', () => {
    const vienna: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Vienna grew rapidly in the nineteenth century as railways brought people from across the empire to live and work in the city. ' +
        'Its population had risen to about 1.7 million by the end of the century. ' +
        'Its old walls were torn down in 1857 to make room for the Ringstrasse.',
      localSimilarity: 0.3,
    };
    const reply = answer('How many people lived in Vienna at the end of the century?', [vienna]).text;
    assert.match(reply, /^Its population had risen to about 1\.7 million/);
    assert.doesNotMatch(reply, /railways/);
  });

  it('should answer "How large…?" with an area ("8,300 square kilometres") and "How old…?" with a lifespan', () => {
    const lake: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Lake Titicaca lies on the border between Peru and Bolivia. ' +
        'It is the largest lake in South America, covering about 8,300 square kilometres of the Altiplano. ' +
        'Its surface lies at 3,812 metres above sea level. ' +
        'Sixteen rivers feed the lake, and twelve islands rise from it.',
      localSimilarity: 0.3,
    };
    assert.match(
      answer('How large is Lake Titicaca?', [lake]).text,
      /^It is the largest lake in South America, covering about 8,300 square kilometres/,
    );
    const tortoise: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The giant tortoise is one of the largest reptiles, weighing up to 400 kilograms. ' +
        'Its shell can be 1.3 metres long. ' +
        'Some giant tortoises live for more than 150 years.',
      localSimilarity: 0.3,
    };
    const age = answer('How old can a tortoise get?', [tortoise]).text;
    assert.match(age, /^Some giant tortoises live for more than 150 years/);
    assert.doesNotMatch(age, /metres long/);
    const mozart: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Mozart was a prolific composer of the Classical period, born in Salzburg in 1756. ' +
        'The young composer finished a symphony in London at the age of eight. ' +
        'His first symphony lasts about twelve minutes and was written for strings, oboes and horns.',
      localSimilarity: 0.3,
    };
    // An age is stated without its unit.
    assert.match(answer('How old was Mozart when he wrote his first symphony?', [mozart]).text, /at the age of eight/);
  });

  it('should answer "How tall…?" with the figure stated with "tall", though it names the subject another way', () => {
    const giraffe: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The giraffe is the tallest living land animal and is found in the savannas of Africa. ' +
        'Giraffes can gallop at up to 60 kilometres per hour over short distances. ' +
        'Adult males stand about 5.5 metres tall and may weigh more than a tonne.',
      localSimilarity: 0.3,
    };
    assert.match(answer('How tall is a grown giraffe?', [giraffe]).text, /Adult males stand about 5\.5 metres tall/);
  });

  it('should meet "vanished" in a passage that says "disappeared"', () => {
    const fleet: GroundingPassage = {
      index: 1,
      title: 'The fleet',
      text:
        'Three ships sailed from the harbour in the spring of 1720. The Hope reached the islands in June after a calm crossing. ' +
        'The Falcon disappeared in a storm off the cape, and no wreck was ever found. The Swan returned to the harbour in the autumn.',
      localSimilarity: 0.3,
    };
    assert.match(answer('Which ship vanished?', [fleet]).text, /^The Falcon disappeared/);
  });
});

describe('the relevance floor weighs how specific the shared words are', () => {
  const NARWHALS: GroundingPassage = {
    index: 1,
    title: 'Narwhals',
    text:
      'Narwhals are medium-sized whales that live in the Arctic all year round. ' +
      'Most males grow a single spiral tusk, which is in fact a canine tooth that can reach three metres. ' +
      'The tusk holds millions of nerve endings and probably senses changes in the water around the narwhal. ' +
      'In winter narwhals dive more than a kilometre to feed on halibut and squid under the pack ice. ' +
      'Inuit hunters have taken narwhals for their skin and ivory for centuries. ' +
      'Unlike other whales, narwhals cannot be kept in aquariums: every narwhal taken into captivity has died within months.',
  };
  // The local embedding's cosine: low for a reworded question, high enough for a chance match of everyday words.
  const ask = (question: string, localSimilarity: number) =>
    composeTutorAnswer({ kind: 'tutor_answer', question, history: [], passages: [{ ...NARWHALS, localSimilarity }], language: 'en' });

  it('should answer a reworded question whose one subject word is what the passage is about ("narwhals" kept in "zoos")', () => {
    const answer = ask('Why are narwhals not kept in zoos?', 0.2);
    assert.equal(answer.grounded, true);
    assert.match(answer.text, /cannot be kept in aquariums/);
    assert.deepEqual(answer.cited, [1]);
  });

  it('should answer a question reworded with an everyday word the passage lacks ("cold" for "winter")', () => {
    const answer = ask('What do narwhals eat when it is cold?', 0.2);
    assert.equal(answer.grounded, true);
    assert.match(answer.text, /halibut and squid/);
  });

  it('should decline another subject that shares only everyday words with the passage ("changes", "body")', () => {
    const answer = ask('What changes in the body during sleep?', 0.36);
    assert.equal(answer.grounded, false);
    assert.deepEqual(answer.cited, []);
  });
});

describe('answers of the asked kind: a figure, a period, a name', () => {
  const LIGHTHOUSE: GroundingPassage = {
    index: 1,
    title: 'article-1.txt',
    text:
      'The lighthouse on the northern cape was lit for the first time in 1874. ' +
      'The tower on the cape is higher than any other building there, with walls built by masons from the city. ' +
      'Its lamp stands 52 metres above the rocks. ' +
      'The last keeper, Aron Lind, left the tower in 1991.',
    localSimilarity: 0.3,
  };
  const LAKE: GroundingPassage = {
    index: 1,
    title: 'article-1.txt',
    text:
      'Lake Vostra is a deep lake in the north of the country. ' +
      'Its fresh water is clearer than that of Lake Superior, and visitors from Moscow come to see the surface in winter. ' +
      'The lake holds roughly a fifth of the fresh water found on the surface of the planet. ' +
      'In 1996 the lake was named a World Heritage Site by UNESCO, after a campaign by scientists from Moscow. ' +
      'The lake freezes over from January to May, and trucks cross the ice. ' +
      'An island is a piece of land surrounded by water, and the lake has 27 of them. ' +
      'The largest is Olkhon, home to about 1,500 people.',
    localSimilarity: 0.3,
  };

  it('should answer "How high…?" with the height and its unit first, before the sentence repeating "higher"', () => {
    assert.match(answer('How high is the tower on the cape?', [LIGHTHOUSE]).text, /^Its lamp stands 52 metres/);
  });

  it('should answer "What share of…?" with the fraction stated in words ("roughly a fifth"), not a sentence naming places', () => {
    assert.match(answer('What share of the surface fresh water does the lake hold?', [LAKE]).text, /^The lake holds roughly a fifth/);
  });

  it('should answer "During which months…?" with the months ("frozen" meets "freezes")', () => {
    assert.match(answer('During which months is the lake frozen?', [LAKE]).text, /from January to May/);
  });

  it('should answer "What is … called?" with the name rather than the sentence defining the word', () => {
    assert.match(answer("What is the lake's largest island called?", [LAKE]).text, /^The largest is Olkhon/);
  });

  it('should meet "final" in a passage that says "last"', () => {
    assert.match(answer('Who was the final keeper?', [LIGHTHOUSE]).text, /Aron Lind/);
  });

  it('should meet "German" in a passage that says "Germany" and "soldiers" in one that says "troops"', () => {
    const border: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The treaty of 1871 moved the border of Germany westward and gave the new empire two provinces. ' +
        'In 1923 troops from France occupied the Ruhr valley when payments stopped. ' +
        'Prices in Germany rose so fast that year that workers were paid twice a day.',
      localSimilarity: 0.25,
    };
    assert.match(answer('Which valley did foreign soldiers occupy?', [border]).text, /occupied the Ruhr valley/);
    assert.match(answer('In what year did German prices rise fastest?', [border]).text, /Prices in Germany rose/);
  });

  it('should answer "Where did … come from?" with the source ("originated in"), not a place the subject is found today', () => {
    const tea: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Tea is a drink made from the leaves of the tea plant. ' +
        'It probably originated in the south-west of China, where it was first drunk as a medicine. ' +
        'Today most tea is grown in India, Kenya and Sri Lanka. Black tea is fermented before it is dried.',
      localSimilarity: 0.3,
    };
    assert.match(answer('Where did tea come from?', [tea]).text, /originated in the south-west of China/);
  });

  it('should not take a "when" inside a "what" question for a question about a date', () => {
    const bank: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'The central bank was set up in 1913, when prices had been rising fast for years. ' +
        'When prices rise faster than its target, the bank raises interest rates, which makes borrowing dearer. ' +
        'In 2008 it cut rates to almost zero during the financial crisis.',
      localSimilarity: 0.3,
    };
    assert.match(answer('What does the central bank do when prices rise too fast?', [bank]).text, /raises interest rates/);
  });

  it('should meet "cost" and "drop" in a passage that says "price" and "fallen"', () => {
    const batteries: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Lithium batteries store electricity in cells that move lithium ions between two electrodes. ' +
        'Since 2010 the price of battery packs has fallen by about 90 percent, largely because of mass production in large factories. ' +
        'Most packs now last for more than ten years.',
      localSimilarity: 0.3,
    };
    const result = answer('Why did the cost drop?', [batteries]);
    assert.equal(result.grounded, true);
    assert.match(result.text, /mass production/);
  });

  it('should answer "What … made of?" with the sentence saying what it is made from, though it names no place or person', () => {
    const weavers: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Weavers are small seed-eating birds of Africa and Asia. ' +
        'They are best known for weaving nests from grass and palm strips, which hang from branches over water to keep snakes away. ' +
        'In Namibia the shared nests of sociable weavers can weigh a tonne and house 400 birds. ' +
        'Weaver nests are often reused by other birds such as pygmy falcons.',
      localSimilarity: 0.3,
    };
    assert.match(answer('What materials are weaver nests made of?', [weavers]).text, /weaving nests from grass and palm strips/);
  });

  it('should find the passage about the question in the word few passages hold ("hummingbirds"), not in one repeating "live"', () => {
    const passages: GroundingPassage[] = [
      {
        index: 1,
        title: 'Hummingbirds',
        localSimilarity: 0.3,
        text:
          'Hummingbirds are small birds found only in the Americas, from Alaska to Chile. Hummingbirds are the only birds that can fly backwards. ' +
          'Hummingbirds feed on nectar from flowers. The smallest hummingbirds weigh less than 2 grams.',
      },
      {
        index: 2,
        title: 'Coral',
        localSimilarity: 0.2,
        text:
          'Coral bleaching happens when corals under stress expel the tiny algae that live inside their tissues. The algae give corals their colour. ' +
          'Without them the white skeleton shows through. Bleached corals can recover if the water cools within a few weeks.',
      },
      {
        index: 3,
        title: 'Sherlock Holmes',
        localSimilarity: 0.2,
        text:
          'Sherlock Holmes is a fictional detective created by Arthur Conan Doyle in 1887. Holmes lives at 221B Baker Street in London, and most stories are told by Dr Watson. ' +
          'His great enemy is Professor Moriarty. He appears in four novels and 56 short stories.',
      },
    ];
    const result = answer('Where do hummingbirds live?', passages);
    assert.match(result.text, /found only in the Americas/);
    assert.doesNotMatch(result.text, /Baker Street/);
  });

  it('should meet "most frequent" in a passage that says "most common"', () => {
    const coral: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Coral bleaching happens when corals under stress expel the algae that live in their tissues. ' +
        'The most common cause is a rise in sea temperature of just one degree above the summer maximum. ' +
        'Since 1998 bleaching events have become more frequent, and most reefs could bleach every year by the 2050s.',
      localSimilarity: 0.3,
    };
    assert.match(answer('What is the most frequent cause of bleaching?', [coral]).text, /rise in sea temperature/);
  });

  it('should find a name inside a word made from it ("Atlantic" in "transatlantic")', () => {
    const cable: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Submarine telegraph cables carried messages under the sea from the 1850s. ' +
        'The first lasting transatlantic cable was laid in 1866 by the ship Great Eastern, the largest vessel of its day.',
      localSimilarity: 0.3,
    };
    const result = answer('Which ship laid the first lasting cable across the Atlantic?', [cable]);
    assert.match(result.text, /Great Eastern/);
    assert.deepEqual(result.cited, [1]);
    // A name the passage holds in no form is still another subject.
    assert.deepEqual(answer('Which ship laid the first lasting cable across the Pacific?', [cable]).cited, []);
  });

  it("should answer a question naming the passage's own subject word, though it keeps little of the answer sentence", () => {
    const tardigrades: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Water bears are microscopic animals with eight legs that live in moss and lichen. ' +
        'When their habitat dries out, tardigrades curl into a ball and enter cryptobiosis, a state in which their metabolism almost stops. ' +
        'They have been revived after ten years in a museum drawer.',
      localSimilarity: 0.2,
    };
    const result = answer('How do tardigrades outlast a long drought?', [tardigrades]);
    assert.match(result.text, /enter cryptobiosis/);
    assert.ok(coversQuestion('How do tardigrades outlast a long drought?', [tardigrades]));
    // The same question about another animal shares nothing the passage is about.
    assert.deepEqual(answer('How do camels outlast a long drought?', [tardigrades]).cited, []);
  });

  it('should find a people named by its own noun in the adjective the passage uses ("the Poles", "Polish")', () => {
    const codebreakers: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Polish mathematicians first broke Enigma messages in December 1932. ' +
        'In July 1939, five weeks before the invasion, they shared their methods with British and French intelligence.',
      localSimilarity: 0.3,
    };
    assert.match(answer('When did the Poles share their methods with the British?', [codebreakers]).text, /July 1939/);
    assert.deepEqual(answer('When did the Danes share their methods with the British?', [codebreakers]).cited, []);
  });

  it('should count the asked noun, not the kinds of it ("200 species of ants" is no number of ants)', () => {
    const ants: GroundingPassage = {
      index: 1,
      title: 'article-1.txt',
      text:
        'Army ants are a group of about 200 species of ants found in warm forests. ' +
        'A single colony can hold more than a million ants, all daughters of one queen. ' +
        'The colony moves to a new camp every few days.',
      localSimilarity: 0.2,
    };
    const result = answer('How many ants live in one colony?', [ants]);
    assert.match(result.text, /more than a million ants/);
    assert.doesNotMatch(result.text, /200 species/);
  });

  it('should lead with the sentence of the passage the search ranked higher when two match alike', () => {
    const passages: GroundingPassage[] = [
      {
        index: 1,
        title: 'article-1.txt',
        localSimilarity: 0.3,
        text:
          'The Brandenburg Concertos are six works by Bach for a set of instruments. ' +
          'Their familiar name was given by the biographer Philipp Spitta.',
      },
      {
        index: 2,
        title: 'article-2.txt',
        localSimilarity: 0.3,
        text: 'The physician John Snow gave the outbreak the name it has today: the set of cases he mapped around one pump.',
      },
    ];
    const result = answer('Who gave the set of concertos the name it has today?', passages);
    assert.match(result.text, /^Their familiar name was given by the biographer Philipp Spitta/);
  });

  it('should answer a question naming a place from the passage that names it, or not at all', () => {
    const orinoco: GroundingPassage = {
      index: 1,
      title: 'The Orinoco',
      text:
        'The Orinoco is one of the longest rivers in South America, flowing for about 2,140 kilometres to the Atlantic Ocean. ' +
        'Its delta is home to the Warao people.',
      localSimilarity: 0.3,
    };
    const danube: GroundingPassage = {
      index: 2,
      title: 'The Danube',
      text:
        'The Danube is the second-longest river in Europe, after the Volga. ' +
        'It flows through ten countries, more than any other river in the world.',
      localSimilarity: 0.3,
    };
    const alps: GroundingPassage = {
      index: 3,
      title: 'The Alps',
      text: 'The Alps are the highest and most extensive mountain range lying entirely in Europe. Their highest peak is Mont Blanc.',
      localSimilarity: 0.2,
    };
    // Europe is named by a passage other than the best-matching one: the answer comes from it.
    const european = answer('Which is the longest river in Europe?', [orinoco, danube]);
    assert.match(european.text, /Volga/);
    assert.deepEqual(european.cited, [2]);
    // Named only in a passage with nothing to say about rivers: no answer about another continent's river.
    assert.deepEqual(answer('Which is the longest river in Europe?', [orinoco, alps]).cited, []);
    // A name two passages share is common ground (a course's own subject): any passage may answer.
    assert.match(
      answer('How long is the longest river in South America?', [
        orinoco,
        { ...danube, text: `${danube.text} South America has longer ones.` },
      ]).text,
      /2,140 kilometres/,
    );
  });
});
