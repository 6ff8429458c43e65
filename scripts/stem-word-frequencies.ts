// Run by `npm run build`: writes the everyday-English word counts, stemmed the way the local tutor
// stems (src/infrastructure/llm/word-rarity.ts), beside the built module, so that an instance reads
// them instead of stemming the whole list before its first search. Written at every build, it
// always matches the stemmer it was built with.
import { writeFileSync } from 'node:fs';
import { STEMMED_COUNTS_FILE, stemWordList } from '../src/infrastructure/llm/word-rarity';

writeFileSync(STEMMED_COUNTS_FILE, JSON.stringify([...stemWordList()]));
