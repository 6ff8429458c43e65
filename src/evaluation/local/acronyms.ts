/**
 * Acronyms a short answer uses for words the other text spells out ("FIFO" for "first in, first
 * out", "BST" for "binary search tree"), or the other way round. Students write them all the time
 * and no stem or spelling comparison joins them, so the acronym is followed by the words it stands
 * for, taken from the other text, before the two are compared.
 */
const ACRONYM = /\b[A-Z]{2,6}s?\b/g;

/** The first run of words in `source` whose initials spell `acronym` (hyphens separate words). */
function spelledOut(acronym: string, source: string[]): string | undefined {
  const letters = acronym.toLowerCase();
  for (let i = 0; i + letters.length <= source.length; i++) {
    let j = 0;
    while (j < letters.length && source[i + j][0]?.toLowerCase() === letters[j]) j++;
    if (j === letters.length) return source.slice(i, i + letters.length).join(' ');
  }
  return undefined;
}

/** `text` with each acronym that `source` spells out followed by its words, in parentheses. */
export function expandAcronyms(text: string, source: string): string {
  const sourceWords: string[] = source.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (sourceWords.length < 2) return text;
  return text.replace(ACRONYM, (match: string) => {
    const acronym = match.replace(/s$/, '');
    if (acronym.length < 2 || sourceWords.includes(acronym)) return match;
    const words = spelledOut(acronym, sourceWords);
    return words ? `${match} (${words})` : match;
  });
}
