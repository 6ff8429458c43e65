import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { SentenceSplitter } from '@llamaindex/core/node-parser';
import { ApiError } from '../../../src/common/errors/api-error';
import { chunkDocument, chunkTextForEmbedding, DEFAULT_CHUNK_SIZE } from '../../../src/content/parsing/chunk-document';
import type { ParsedDocument } from '../../../src/content/parsing/document-parser';

const tokens = new SentenceSplitter();
const countTokens = (text: string): number => tokens.tokenSize(text);

/** Prose of `count` distinct numbered sentences about a topic. */
function prose(topic: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `Fact ${i + 1} about ${topic} is worth remembering for the exam.`).join(' ');
}

describe('chunkDocument', () => {
  it('should keep each section’s page and heading path on its chunks, in document order', () => {
    const doc: ParsedDocument = {
      sections: [
        { text: prose('cells', 40), headingPath: ['Biology', 'Cells'] },
        { text: prose('plants', 3), headingPath: ['Biology', 'Plants'] },
        { text: prose('page five', 3), page: 5 },
      ],
    };
    const chunks = chunkDocument(doc);
    assert.ok(chunks.length >= 4);
    assert.deepEqual(
      chunks.map((c) => c.position),
      chunks.map((_, i) => i),
    );
    for (const chunk of chunks) {
      if (chunk.text.includes('cells')) assert.equal(chunk.heading, 'Biology > Cells');
      if (chunk.text.includes('plants')) assert.equal(chunk.heading, 'Biology > Plants');
      if (chunk.text.includes('page five')) {
        assert.equal(chunk.page, 5);
        assert.equal(chunk.heading, undefined);
      } else {
        assert.equal(chunk.page, undefined);
      }
    }
  });

  it('should cut at sentence ends and keep heading plus text within the chunk size', () => {
    const doc: ParsedDocument = { sections: [{ text: prose('mitochondria', 60), headingPath: ['Cells', 'Mitochondria'] }] };
    const chunks = chunkDocument(doc);
    assert.ok(chunks.length > 2);
    for (const chunk of chunks) {
      assert.match(chunk.text, /^Fact \d+ .*exam\.$/s, 'chunks start and end on sentence boundaries');
      assert.ok(countTokens(chunkTextForEmbedding(chunk)) <= DEFAULT_CHUNK_SIZE);
      assert.ok(chunkTextForEmbedding(chunk).startsWith('Cells > Mitochondria\n\n'));
    }
  });

  it('should overlap consecutive chunks of a section by a sentence or so', () => {
    const chunks = chunkDocument({ sections: [{ text: prose('ribosomes', 40) }] }, { chunkSize: 80, chunkOverlap: 20 });
    assert.ok(chunks.length > 2);
    for (let i = 1; i < chunks.length; i++) {
      const firstSentence = chunks[i].text.match(/^.*?exam\./)?.[0] ?? '';
      assert.ok(firstSentence && chunks[i - 1].text.includes(firstSentence), `chunk ${i} repeats the end of chunk ${i - 1}`);
    }
  });

  it('should never emit empty chunks', () => {
    const chunks = chunkDocument({ sections: [{ text: '' }, { text: ' \n\n ' }, { text: 'Only this.' }] });
    assert.deepEqual(chunks, [{ text: 'Only this.', position: 0 }]);
  });

  it("should count a language model's special tokens in the text as ordinary words", () => {
    const text = 'The marker <|endoftext|> ends a training document; <|im_start|> opens a chat turn.';
    assert.deepEqual(chunkDocument({ sections: [{ text }] }), [{ text, position: 0 }]);
  });

  it('should chunk one enormous paragraph quickly and lose none of its words', () => {
    const sentences = Array.from({ length: 2_500 }, (_, i) => `Line ${i} says word${i} here.`);
    const text = sentences.join('\n');
    const started = Date.now();
    const chunks = chunkDocument({ sections: [{ text }] });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
    const joined = chunks.map((c) => c.text).join(' ');
    for (let i = 0; i < sentences.length; i += 97) assert.ok(joined.includes(`word${i} `), `word${i} is kept`);
    for (const chunk of chunks) assert.ok(countTokens(chunk.text) <= DEFAULT_CHUNK_SIZE);
  });

  it('should chunk text without white space (a gene sequence) quickly and within the chunk size', () => {
    const sequence = 'ACGT'.repeat(2_000);
    const started = Date.now();
    const chunks = chunkDocument({ sections: [{ text: sequence }] });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3_000, `took ${elapsed} ms`);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(sequence.includes(chunk.text));
      // Three characters a token is the counter's estimate for such runs.
      assert.ok(chunk.text.length <= DEFAULT_CHUNK_SIZE * 3);
    }
  });

  it('should shorten an absurdly long heading path rather than fail or crowd out the text', () => {
    const path = Array.from({ length: 6 }, (_, i) => `Level ${i} heading ${'very '.repeat(30)}long`);
    const chunks = chunkDocument({ sections: [{ text: prose('nesting', 10), headingPath: path }] }, { chunkSize: 128 });
    assert.ok(chunks.length > 0);
    for (const chunk of chunks) {
      assert.ok(chunk.heading);
      assert.ok(countTokens(chunkTextForEmbedding(chunk)) <= 128);
    }
    assert.match(chunks[0].heading ?? '', /^Level 5/, 'the innermost heading is the one kept');
  });

  it('should refuse a document that would be cut into more than 100,000 chunks, and take one of 100,000', () => {
    // Pages are sections of their own that no heading limits: 10,000 PDF pages of 11 chunks each pass the limit.
    const pages = (count: number): ParsedDocument => ({
      sections: Array.from({ length: count }, (_, i) => ({ text: `Page ${i + 1} is short.`, page: i + 1 })),
    });
    assert.equal(chunkDocument(pages(100_000)).length, 100_000);
    assert.throws(
      () => chunkDocument(pages(100_001)),
      (error: unknown) =>
        error instanceof ApiError && error.code === 'unprocessable_document' && /more than 100,000 chunks/.test(error.message),
    );
  });

  it('should refuse options that cannot make chunks', () => {
    assert.throws(() => chunkDocument({ sections: [] }, { chunkSize: 4 }), RangeError);
    assert.throws(() => chunkDocument({ sections: [] }, { chunkSize: 100, chunkOverlap: 60 }), RangeError);
  });
});
