import { describe, expect, it } from '@jest/globals';
import { CitationRenumbering, renumberCitations } from '../../../src/chat/citations';

describe('citation renumbering', () => {
  it('should number cited passages in order of first use and report which were cited', () => {
    const { text, cited } = renumberCitations('Loops repeat [3]. A list is ordered [1]. Loops end [3].', 5);
    expect(text).toBe('Loops repeat [1]. A list is ordered [2]. Loops end [1].');
    expect(cited).toEqual([3, 1]);
  });

  it('should drop markers that name no passage', () => {
    const { text, cited } = renumberCitations('Made up [9]. Real [2].', 2);
    expect(text).toBe('Made up. Real [1].');
    expect(cited).toEqual([2]);
  });

  it('should cite nothing when the answer has no marker', () => {
    expect(renumberCitations('The course does not cover this.', 3)).toEqual({ text: 'The course does not cover this.', cited: [] });
  });

  it('should renumber a marker split across stream deltas', () => {
    const renumbering = new CitationRenumbering(4);
    const deltas = ['Range counts ', '[', '4', '] and ', 'stops [2', '].'];
    const out = deltas.map((d) => renumbering.push(d)).join('') + renumbering.end();
    expect(out).toBe('Range counts [1] and stops [2].');
    expect(renumbering.cited).toEqual([4, 2]);
  });
});
