/**
 * The first `max` UTF-16 units of a text, less the first half of a surrogate pair when the cut
 * falls inside one: a lone surrogate is not text (it prints as garbage, and UTF-8 stores refuse or
 * replace it), and `slice` alone leaves one whenever an emoji straddles the cut.
 */
export function clipText(text: string, max: number): string {
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
