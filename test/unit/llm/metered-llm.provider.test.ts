import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { LocalLlmProvider } from '../../../src/infrastructure/llm/local-llm.provider';
import { LlmCallRecord, MeteredLlmProvider } from '../../../src/infrastructure/llm/metered-llm.provider';

const passages = [{ index: 1, title: 'Cells', text: 'Mitosis is the division of one cell into two identical daughter cells.' }];

describe('metered provider', () => {
  it('should record each call with its user, task, usage and outcome', async () => {
    const calls: LlmCallRecord[] = [];
    const provider = new MeteredLlmProvider(new LocalLlmProvider(), { record: (c) => void calls.push(c) });
    const request = {
      task: { kind: 'tutor_answer', question: 'What is mitosis?', history: [], passages, language: 'en' as const },
      messages: [],
      userId: 'user-1',
    };
    const result = await provider.complete(request);
    for await (const event of provider.stream({ ...request, userId: 'user-2' })) void event;
    await assert.rejects(provider.complete({ task: { kind: 'unknown' }, messages: [], userId: 'user-3' }));

    assert.deepEqual(
      calls.map((c) => [c.userId, c.task, c.streamed, c.outcome, c.model]),
      [
        ['user-1', 'tutor_answer', false, 'ok', 'local'],
        ['user-2', 'tutor_answer', true, 'ok', 'local'],
        ['user-3', 'unknown', false, 'error', 'local'],
      ],
    );
    assert.deepEqual(calls[0].usage, result.usage);
    assert.ok(calls[0].usage.totalTokens > 0);
  });

  it('should record an abandoned stream as aborted with the tokens already produced', async () => {
    const calls: LlmCallRecord[] = [];
    const provider = new MeteredLlmProvider(new LocalLlmProvider(), { record: (c) => void calls.push(c) });
    const request = {
      task: { kind: 'tutor_answer', question: 'What is mitosis?', history: [], passages, language: 'en' as const },
      messages: [{ role: 'user' as const, content: 'What is mitosis?' }],
    };
    for await (const event of provider.stream(request)) if (event.type === 'delta') break;
    assert.equal(calls.length, 1);
    assert.equal(calls[0].outcome, 'aborted');
    assert.ok(calls[0].usage.completionTokens > 0);
  });

  it('should not fail the answer when the recorder fails', async () => {
    const errors: unknown[] = [];
    const provider = new MeteredLlmProvider(new LocalLlmProvider(), { record: () => Promise.reject(new Error('database down')) }, (e) =>
      errors.push(e),
    );
    const result = await provider.complete({
      task: { kind: 'tutor_answer', question: 'What is mitosis?', history: [], passages, language: 'en' },
      messages: [],
    });
    assert.match(result.text, /Mitosis/);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
  });
});
