import { foldText, splitSentences } from '../../common/text';

/**
 * Course text as plain sentences: Markdown markup removed, code blocks, tables and headings left
 * out (they are not statements a question can quote).
 */
export function plainBlocks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '\n\n').replace(/~~~[\s\S]*?~~~/g, '\n\n');
  const lines = withoutCode.split('\n').filter((line) => {
    const trimmed = line.trim();
    if (/^#{1,6}\s/.test(trimmed)) return false;
    if (/^\|.*\|$/.test(trimmed) || /^[-:| ]{3,}$/.test(trimmed)) return false;
    if (/^( {4}|\t)/.test(line) && trimmed) return false;
    return true;
  });
  return (
    lines
      .join('\n')
      // Each list item stands alone: "- Parameters are …" and "- return sends …" are two statements.
      .replace(/\n(?=\s*(?:[-*+•]|\d+[.)])\s)/g, '\n\n')
      // A line break after a full stop, or before a capital where the line did not trail off, ends a
      // statement; other breaks are soft wraps inside one.
      .replace(/([^\n])\n(?=[^\n])/g, (match, before: string, offset: number, all: string) => {
        const next = all.charAt(offset + match.length);
        const hard = /[.!?:)]/.test(before) || (/[\p{Lu}\p{N}]/u.test(next) && !/[,;(\-–]/.test(before));
        return hard ? `${before}\n\n` : `${before} `;
      })
      .split(/\n\s*\n/)
      .map((block) =>
        block
          .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
          .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
          .replace(/^\s*(?:[-*+•]|\d+[.)])\s+/gm, '')
          .replace(/^\s*>\s?/gm, '')
          .replace(/(\*\*|__)(.+?)\1/g, '$2')
          .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
          .replace(/`([^`]+)`/g, '$1')
          .trim(),
      )
      .filter(Boolean)
  );
}

export function courseSentences(markdown: string): string[] {
  return plainBlocks(markdown).flatMap((block) => splitSentences(block));
}

/** Lower-case, accent-free, punctuation-free form used to compare statements and detect repeats. */
export function normalizeStatement(text: string): string {
  return foldText(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
