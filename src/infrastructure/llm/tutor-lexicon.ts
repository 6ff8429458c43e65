import { contentWords, stem } from '../../common/text';

/**
 * Word knowledge the local tutor and grader need beyond the shared light stemmer, which only strips
 * suffixes: a question asks "where was she born?" or "what caused her death?" of a passage that
 * says "born in Warsaw" and "she died of…". Irregular forms and the nouns of common verbs are
 * brought to one base word before stemming, on both sides.
 */
const BASE_FORMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    died: 'die',
    dies: 'die',
    dying: 'die',
    dead: 'die',
    death: 'die',
    deaths: 'die',
    birth: 'born',
    births: 'born',
    wrote: 'write',
    written: 'write',
    writer: 'write',
    writing: 'write',
    began: 'begin',
    begun: 'begin',
    beginning: 'begin',
    built: 'build',
    builder: 'build',
    construction: 'build',
    constructed: 'build',
    sold: 'sell',
    seller: 'sell',
    sale: 'sell',
    bought: 'buy',
    buyer: 'buy',
    won: 'win',
    winner: 'win',
    led: 'lead',
    leader: 'lead',
    leading: 'lead',
    grew: 'grow',
    grown: 'grow',
    growth: 'grow',
    discovery: 'discover',
    discovered: 'discover',
    invention: 'invent',
    inventor: 'invent',
    invented: 'invent',
    production: 'produce',
    producer: 'produce',
    product: 'produce',
    produced: 'produce',
    taught: 'teach',
    teacher: 'teach',
    thought: 'think',
    gave: 'give',
    given: 'give',
    took: 'take',
    taken: 'take',
    brought: 'bring',
    held: 'hold',
    lent: 'lend',
    spent: 'spend',
    caught: 'catch',
    sought: 'seek',
    dealt: 'deal',
    fled: 'flee',
    struck: 'strike',
    broke: 'break',
    broken: 'break',
    wore: 'wear',
    worn: 'wear',
    hid: 'hide',
    hidden: 'hide',
    shot: 'shoot',
    hung: 'hang',
    sank: 'sink',
    sunk: 'sink',
    swam: 'swim',
    drank: 'drink',
    sang: 'sing',
    sung: 'sing',
    rode: 'ride',
    ridden: 'ride',
    meant: 'mean',
    fed: 'feed',
    bit: 'bite',
    bitten: 'bite',
    stole: 'steal',
    stolen: 'steal',
    threw: 'throw',
    thrown: 'throw',
    flown: 'fly',
    forgot: 'forget',
    forgotten: 'forget',
    forgave: 'forgive',
    shook: 'shake',
    shaken: 'shake',
    woke: 'wake',
    woken: 'wake',
    spun: 'spin',
    swung: 'swing',
    stuck: 'stick',
    rang: 'ring',
    rung: 'ring',
    kept: 'keep',
    lost: 'lose',
    loss: 'lose',
    paid: 'pay',
    payment: 'pay',
    ran: 'run',
    said: 'say',
    saw: 'see',
    seen: 'see',
    sent: 'send',
    spoke: 'speak',
    spoken: 'speak',
    speaker: 'speak',
    chose: 'choose',
    chosen: 'choose',
    choice: 'choose',
    fell: 'fall',
    fallen: 'fall',
    rose: 'rise',
    risen: 'rise',
    fought: 'fight',
    flew: 'fly',
    flight: 'fly',
    drew: 'draw',
    drawn: 'draw',
    drove: 'drive',
    driven: 'drive',
    driver: 'drive',
    ate: 'eat',
    eaten: 'eat',
    known: 'know',
    knew: 'know',
    knowledge: 'know',
    made: 'make',
    maker: 'make',
    met: 'meet',
    meeting: 'meet',
    stood: 'stand',
    told: 'tell',
    understood: 'understand',
    became: 'become',
    came: 'come',
    went: 'go',
    gone: 'go',
    froze: 'freeze',
    frozen: 'freeze',
    length: 'long',
    width: 'wide',
    depth: 'deep',
    height: 'high',
    heights: 'high',
    weight: 'weigh',
    strength: 'strong',
    size: 'big',
    larger: 'large',
    largest: 'large',
    biggest: 'big',
    bigger: 'big',
    smaller: 'small',
    smallest: 'small',
    longest: 'long',
    longer: 'long',
    highest: 'high',
    higher: 'high',
    deepest: 'deep',
    deeper: 'deep',
  }),
);

/**
 * Verbs, adjectives and adverbs that any text on any subject uses: a reworded question says "Where
 * did the crew come down?", "What prize did she receive?", "Why were they able to ask for more?"
 * of a passage that says "splashed down", "was awarded", "demanded". Such a word tells nothing of
 * the subject, so a passage that does not use it is not thereby about something else; the words
 * that name things (rock, planet, island, Tesla) still have to be found.
 */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `come comes came coming go goes went gone going get gets got getting receive receives received receiving
  become becomes became remain remains remained stay stays stayed reach reaches reached move moves moved
  ask asks asked able unable start starts started begin begins began end ends ended happen happens happened
  occur occurs occurred call calls called named keep keeps bring brings show shows turn turns turned
  hold holds look looks seem seems let lets want wants wanted try tries tried put puts set sets
  give gives gave given take takes took taken make makes made include includes included contain contains contained
  other others likely probably possibly often sometimes generally mostly nearly almost roughly nearby near
  many much several whole able well good bad great little also still even just only
  first last next early late later earlier`.split(/\s+/),
);

/**
 * Words that frame a question rather than name its topic ("what kind of…", "the main…", "what
 * year…"). A passage that does not repeat them may still answer the question, so the relevance
 * floor weighs them lightly when no passage holds them.
 */
export const FRAMING_TERMS: ReadonlySet<string> = new Set(
  `kind kinds type types sort sorts main mainly most important importance major primary original originally
  name names make use used uses using part parts way ways thing things number numbers amount year years time times
  day days period happen happened happens take place role purpose common commonly usually typically
  known famous specific particular certain various different same exactly actually really
  genre sorte sortes principal principale principaux nom noms type types partie facon chose choses nombre
  annee annees fois jour jours role but connu connue celebre`
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => stem(BASE_FORMS.get(word) ?? word)),
);

/** A folded word's stem after its base form: "died" and "death" give "die", "born" and "birth" "born". */
export function baseStem(word: string): string {
  return stem(BASE_FORMS.get(word) ?? word);
}

/** The shared content terms of a text (see `terms`), each brought to its base form first. */
export function baseTerms(text: string): string[] {
  return contentWords(text).map(baseStem);
}

/** "The French attempt" of a passage on France: a people's adjective names its country. */
const DEMONYMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    french: 'france',
    english: 'england',
    british: 'britain',
    spanish: 'spain',
    dutch: 'netherlands',
    welsh: 'wales',
    irish: 'ireland',
    scottish: 'scotland',
    swiss: 'switzerland',
    swedish: 'sweden',
    danish: 'denmark',
    norwegian: 'norway',
    finnish: 'finland',
    polish: 'poland',
    turkish: 'turkey',
    greek: 'greece',
    roman: 'rome',
    chinese: 'china',
    japanese: 'japan',
    peruvian: 'peru',
    portuguese: 'portugal',
    arab: 'arabia',
    arabian: 'arabia',
    thai: 'thailand',
    filipino: 'philippines',
    german: 'germany',
    american: 'america',
    russian: 'russia',
    italian: 'italy',
    indian: 'india',
    mexican: 'mexico',
    canadian: 'canada',
    australian: 'australia',
    egyptian: 'egypt',
    european: 'europe',
    african: 'africa',
    asian: 'asia',
    korean: 'korea',
    brazilian: 'brazil',
    belgian: 'belgium',
    austrian: 'austria',
    hungarian: 'hungary',
    persian: 'persia',
    icelandic: 'iceland',
    mongolian: 'mongolia',
    vietnamese: 'vietnam',
    francais: 'france',
    anglais: 'angleterre',
    espagnol: 'espagne',
    allemand: 'allemagne',
  }),
);

/**
 * Words that a reworded question uses for the passage's own ("Who promoted the canal?" of "The
 * project was championed by…", "its critics" asked as "its opponents"). Only the tutor's sentence
 * matching uses them, at reduced strength: the grader keeps to the stems (an answer that swaps a
 * word for a near one is not thereby the reference).
 */
const SYNONYM_GROUPS: readonly string[] = `
  critic critics opponent opponents detractor detractors enemy enemies
  nickname nicknamed dubbed
  promote promoted promoter champion championed advocate advocated supporter backed
  link linked links connect connects connected connection join joins joined
  danger dangers dangerous risk risks hazard hazards threat threats
  lifespan life live lives lived
  nerve nerves neuron neurons
  repair repaired fix fixed correct corrected corrective
  begin start started starts commence commenced
  popular popularised popularized popularity fashionable
  originate originated origin origins source sources
  collapse collapsed fail failed failure
  attempt attempted effort efforts
  lift lifted raise raised
  invade invaded invasion attack attacked
  mould mold fungus
  big large huge giant enormous
  small little tiny tiniest
  kill killed
  found founded establish established
  show showed shown demonstrate demonstrated prove proved
  buy bought purchase purchased
  ship ships vessel vessels boat boats
  town city cities
  country nation
  war conflict
  prize award awarded
  fast quick quickly rapid rapidly speed
  old ancient age
  eat eats feed feeds diet
  amount quantity
  reduce reduced decrease decreased lower lowered cut
  increase increased
  end ended finish finished complete completed
  stop stopped halt halted cease ceased
  protect protected defend defended
  allow allowed enable enabled permit permitted
  need needs require requires required
  carry carried transport transported
  travel journey trip voyage
  help helped aid assist assisted
  change changed alter altered
  get obtain obtained receive received gain gained
  main chief principal primary
  create created form formed
  develop developed
  area region
  picture pictures image images photo photos
  blurry blurred
  flaw defect fault error problem problems weakness weaknesses
  plant plants planted plantation plantations
  pay paid wage wages salary salaries earnings
  isolate isolated isolation quarantine quarantined
  vanish vanished disappear disappeared
  cure cured heal healed recover recovered
  symptom symptoms sign signs
  job occupation profession career
  task tasks job duty duties function
  final last
  altitude elevation
  refuse refused reject rejected
  soldier soldiers troop troops
  house houses home homes
  warm warmth heat heated heats
  flavour flavor taste
  show exhibition exhibitions exhibit
  power electricity
  ability capacity capability power
  close closed shut
  crash crashed collapse collapsed
  insult mock mocked mockingly ridicule
  proportion share fraction percentage
  illness disease sickness
  doctor physician
  researcher researchers scientist scientists
  catch caught hunt hunts capture captured
  regard regarded consider considered treat treated
  exaggerate exaggerated overstate overstated
  harm damage
  likely probably perhaps possibly
  cost costs price prices
  drop dropped fall fell fallen
  overlook overlooks overlooked ignore ignores ignored neglect neglected
  air atmosphere
  ashore land landed landing
  frequent frequently common usual
  money fortune fortunes wealth
  omit omits omitted exclude excludes excluded
  publish published publisher print printed printer
  profit profits earn earned earnings revenue income
  decline declined weaken weakened
  dissolve dissolved disband disbanded abolish abolished
  announce announced reveal revealed disclose disclosed
  cultivate cultivated farm farmed
  employ employed hire hired
  keep kept retain retained
  contain contains hold holds
  alliance alliances coalition coalitions league
  assemble assembled gather gathered organise organised organize organized
  base based model modelled modeled
  `
  .trim()
  .split('\n')
  .map((line) => line.trim());

const SYNONYMS: ReadonlyMap<string, readonly string[]> = (() => {
  const groups = new Map<string, Set<string>>();
  // "The French attempt" of a passage on France: a people's adjective stands for its country.
  for (const line of [...SYNONYM_GROUPS, ...[...DEMONYMS].map((pair) => pair.join(' '))]) {
    const stems = [...new Set(line.split(/\s+/).map(baseStem))];
    for (const s of stems) {
      const group = groups.get(s) ?? new Set<string>();
      for (const other of stems) if (other !== s) group.add(other);
      groups.set(s, group);
    }
  }
  return new Map([...groups].map(([s, group]) => [s, [...group]]));
})();

/** The stems a reworded question may use for this stem (not the stem itself). */
export function synonymStems(stemmed: string): readonly string[] {
  return SYNONYMS.get(stemmed) ?? [];
}

/**
 * Peoples named by a noun of their own ("the Poles", "the Danes"): the adjective the passage may use
 * instead. Kept out of the synonyms: "pole" and "scot" are words of their own.
 */
const PEOPLE_NOUNS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    poles: 'polish',
    swedes: 'swedish',
    danes: 'danish',
    finns: 'finnish',
    scots: 'scottish',
    turks: 'turkish',
    spaniards: 'spanish',
    britons: 'british',
    frenchmen: 'french',
    englishmen: 'english',
    dutchmen: 'dutch',
    irishmen: 'irish',
    welshmen: 'welsh',
  }),
);

/**
 * The other names of a country and its people (folded words): the country for a people's adjective
 * or noun, the adjectives and nouns for a country, and the country's other names for either.
 */
export function demonymForms(word: string): string[] {
  const adjective = PEOPLE_NOUNS.get(word) ?? word;
  const country = DEMONYMS.get(adjective) ?? adjective;
  const adjectives = [...DEMONYMS].filter(([, c]) => c === country).map(([a]) => a);
  const nouns = [...PEOPLE_NOUNS].filter(([, a]) => adjectives.includes(a)).map(([noun]) => noun);
  return [...new Set([country, ...adjectives, ...nouns])].filter((form) => form !== word);
}
