import { baseStem } from '../../infrastructure/llm/tutor-lexicon';

/**
 * Words students use for a reference's word with the same meaning in a short answer ("the Earth
 * leans" for "the axis is tilted", "linked" for "connected"). Spelling and stems cannot join them.
 * Groups are kept to everyday, school-science and programming vocabulary where the words are interchangeable in
 * an answer; a word may sit in several groups. English and French.
 */
const GROUPS = `
connect link join attach
gap break opening
closed complete
same equal identical
different distinct unlike
big large great huge
small little tiny
increase rise grow raise
decrease drop fall reduce lower decline
fast quick rapid
make produce create generate
use utilize employ
need require
show display indicate
begin start
end finish
move travel
store hold keep save
contain hold include
remove delete
find locate
tilt lean slant
happen occur
change alter modify vary
help aid assist
correct right accurate
wrong incorrect
mistake error
quantity amount
picture image
choose select pick
allow let enable permit
function method procedure subroutine
element item entry
parameter argument
damaged broken
evaporate vaporize
fix repair
call invoke
size length
address location
add insert append
delete remove erase
error bug
copy duplicate
easy simple
hard difficult
relier connecter lier joindre
augmenter croitre monter
diminuer baisser reduire
produire fabriquer creer
utiliser employer
commencer debuter
finir terminer
`;

const SYNONYMS_OF = new Map<string, Set<string>>();
for (const line of GROUPS.trim().split('\n')) {
  const stems = [...new Set(line.trim().split(/\s+/).map(baseStem))];
  for (const s of stems) {
    const others = SYNONYMS_OF.get(s) ?? new Set<string>();
    for (const o of stems) if (o !== s) others.add(o);
    SYNONYMS_OF.set(s, others);
  }
}

/** Stems that mean the same as this one in an answer (none for most words). */
export function synonymStems(stem: string): ReadonlySet<string> | undefined {
  return SYNONYMS_OF.get(stem);
}
