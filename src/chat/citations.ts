/**
 * An answer's `sources` are the passages it cites, numbered as its `[n]` markers (API.md, Chat).
 * The model sees every retrieved passage numbered 1..k; this rewrites its markers in order of
 * first use (its "[3] … [1]" becomes "[1] … [2]"), drops markers that name no passage, and says
 * which passages were cited. It works on a stream too: a marker split across two deltas is held
 * back until it is complete.
 */
export class CitationRenumbering {
  private readonly numbers = new Map<number, number>();
  private pending = '';

  constructor(private readonly passageCount: number) {}

  /** Original passage numbers, in the order of their new numbers. */
  get cited(): number[] {
    return [...this.numbers.keys()];
  }

  /** The part of `delta` (plus what was held back) that can be sent now. */
  push(delta: string): string {
    const text = this.pending + delta;
    // A trailing "[", "[1" or "[12" may still become a marker.
    const tail = /\[\d{0,3}$/.exec(text);
    this.pending = tail ? tail[0] : '';
    return this.rewrite(tail ? text.slice(0, tail.index) : text);
  }

  /** Whatever was held back, once the answer is complete. */
  end(): string {
    const rest = this.rewrite(this.pending);
    this.pending = '';
    return rest;
  }

  private rewrite(text: string): string {
    return text.replace(/ ?\[(\d{1,3})\]/g, (marker, digits: string) => {
      const original = Number(digits);
      if (original < 1 || original > this.passageCount) return '';
      let renumbered = this.numbers.get(original);
      if (renumbered === undefined) {
        renumbered = this.numbers.size + 1;
        this.numbers.set(original, renumbered);
      }
      return marker.replace(digits, String(renumbered));
    });
  }
}

/** The whole answer at once: its text with renumbered markers and the cited passages' original numbers. */
export function renumberCitations(text: string, passageCount: number): { text: string; cited: number[] } {
  const renumbering = new CitationRenumbering(passageCount);
  const rewritten = renumbering.push(text) + renumbering.end();
  return { text: rewritten, cited: renumbering.cited };
}
