import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../src/infrastructure/llm/llm.types';
import { summarizeConversation } from '../../../src/infrastructure/llm/local-conversation-summary';

const DECLINED =
  'The course material does not cover this question, so I cannot answer it from the course. Try rephrasing it, or ask about a topic the course covers.';

/** Turns as the chat service folds them: the two exchanges that left the window at each step. */
const FOLDS: ChatMessage[][] = [
  [
    { role: 'user', content: 'What is photosynthesis?' },
    { role: 'assistant', content: 'Photosynthesis is the process by which green plants convert light energy into chemical energy [1].' },
    { role: 'user', content: 'Where does it happen?' },
    { role: 'assistant', content: 'It takes place in the chloroplasts, which contain the green pigment chlorophyll [1].' },
  ],
  [
    { role: 'user', content: 'What do mitochondria do?' },
    { role: 'assistant', content: 'Mitochondria release the energy stored in glucose through cellular respiration [2].' },
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: DECLINED },
  ],
  [
    { role: 'user', content: 'How does the heart pump blood?' },
    { role: 'assistant', content: 'The heart pumps blood into the arteries by contracting its muscular walls [3].' },
    { role: 'user', content: 'Why do arteries have thick walls?' },
    { role: 'assistant', content: 'Arteries have thick elastic walls because blood leaves the heart under high pressure [3].' },
  ],
  [
    { role: 'user', content: 'What are enzymes?' },
    { role: 'assistant', content: 'Enzymes are proteins that speed up the chemical reactions of the cell [4].' },
    { role: 'user', content: 'What is the capital of Peru?' },
    { role: 'assistant', content: DECLINED },
  ],
  [
    { role: 'user', content: 'What is DNA made of?' },
    { role: 'assistant', content: 'DNA is made of nucleotides, each holding a sugar, a phosphate group and a base [5].' },
    { role: 'user', content: 'How does DNA copy itself?' },
    { role: 'assistant', content: 'DNA copies itself by unzipping its two strands and building a new partner strand for each [5].' },
  ],
];

function foldAll(folds: ChatMessage[][]): string {
  let summary: string | undefined;
  for (const turns of folds)
    summary = summarizeConversation({
      kind: 'summarize_conversation',
      language: 'en',
      turns,
      ...(summary ? { previousSummary: summary } : {}),
    });
  return summary!;
}

const topicsLine = (summary: string) => summary.split('\n').find((line) => line.startsWith('Topics:')) ?? '';

describe('local conversation summary', () => {
  it('should keep the subject of every earlier exchange among the topics of a long conversation', () => {
    const topics = topicsLine(foldAll(FOLDS)).toLowerCase();
    // The first exchange, folded four summaries ago, is still named, as are the ones after it.
    for (const subject of ['photosynthesis', 'mitochondria', 'heart', 'enzymes', 'dna'])
      assert.match(topics, new RegExp(`\\b${subject}\\b`));
  });

  it('should not take the wording of a declined answer for a topic or a key point', () => {
    const summary = foldAll(FOLDS);
    const topics = topicsLine(summary).toLowerCase();
    for (const word of ['course', 'material', 'cover', 'rephrasing']) assert.doesNotMatch(topics, new RegExp(`\\b${word}\\b`));
    assert.doesNotMatch(summary, /does not cover this question/);
  });

  it('should keep a key point of a short exchange whose words recur nowhere else', () => {
    const summary = summarizeConversation({ kind: 'summarize_conversation', language: 'en', turns: FOLDS[3]! });
    assert.match(summary, /Key points: Enzymes are proteins that speed up the chemical reactions of the cell\./);
    assert.doesNotMatch(summary, /Key points: .*Topics:/);
  });

  it('should keep the earliest topics first, then the newer ones', () => {
    const topics = topicsLine(foldAll(FOLDS)).toLowerCase();
    assert.ok(topics.indexOf('photosynthesis') < topics.indexOf('dna'), topics);
  });
});
