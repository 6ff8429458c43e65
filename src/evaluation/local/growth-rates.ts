/**
 * Growth rates an answer states ("O(n^2)", "n squared", "quadratic", "O(lg n)", "logarithmic"),
 * normalised so that two ways of writing one rate compare equal. Answers in computing state running
 * times this way, and the word features cannot: "O(n^2)" tokenises to a bare "2", and "O(n log n)"
 * shares every word with "O(log n)".
 */
const NOTATION = /\b[oθΘΩω]\s*\(\s*([^()]{1,30}?)\s*\)/gi;

const WORDED: [RegExp, string][] = [
  [/\b(?:linearithmic|n\s*(?:\*\s*)?(?:log|lg)\s*(?:_?2)?\s*(?:\(\s*n\s*\)|n))(?![a-z])/gi, 'nlogn'],
  [/\b(?:logarithmic|(?:log|lg)\s*(?:_?2)?\s*(?:\(\s*n\s*\)|n))(?![a-z])/gi, 'logn'],
  [/\b(?:quadratic|n\s*squared|n\s*\^\s*2|n²)/gi, 'n2'],
  [/\b(?:cubic|n\s*cubed|n\s*\^\s*3|n³)/gi, 'n3'],
  [/\bexponential\b/gi, '2n'],
  [/\blinear(?=\s+(?:time|order|complexity|running))|\b(?:is|runs in|takes|in)\s+linear\b(?!\s+(?:search|list|order|probing|data))/gi, 'n'],
  [/\bconstant\s+time\b/gi, '1'],
];

function normalise(inner: string): string {
  return inner
    .toLowerCase()
    .replace(/\blg\b|\blog\s*_?\s*2\b|\blog2\b/g, 'log')
    .replace(/²/g, '2')
    .replace(/³/g, '3')
    .replace(/[\s*^()_]/g, '');
}

/** The growth rates a text states, each in one canonical spelling ("n2", "logn", "nlogn", "1"). */
export function growthRatesIn(text: string): Set<string> {
  const rates = new Set<string>();
  let rest = text.replace(NOTATION, (_, inner: string) => {
    rates.add(normalise(inner));
    return ' ';
  });
  for (const [pattern, rate] of WORDED) {
    rest = rest.replace(pattern, () => {
      rates.add(rate);
      return ' ';
    });
  }
  return rates;
}
