import type { LlmProviderName, LlmRequest, LlmResult, LlmStreamEvent, StructuredResult, StructuredSchema } from './llm.types';
import { llmUnavailable } from './retry-policy';
import { SchemaViolation, parseStructuredAnswer, repairMessages, withJsonInstruction } from './structured-output';
import { addUsage } from './token-estimate';

/**
 * The language-model port. Services depend on this class (it doubles as the DI token); the
 * factory picks the adapter from configuration.
 */
export abstract class LlmProvider {
  abstract readonly name: LlmProviderName;
  /** The model asked for: Azure deployment, model name on the server, or `local`. */
  abstract readonly model: string;

  abstract complete(request: LlmRequest): Promise<LlmResult>;

  /** Deltas as the answer grows, then one `done` event with the whole text and usage. */
  abstract stream(request: LlmRequest): AsyncIterable<LlmStreamEvent>;

  /**
   * Asks for JSON and validates it against `schema`. An answer that does not parse or validate
   * gets one repair attempt in which the model sees its answer and the errors; a second failure
   * is `llm_unavailable`.
   */
  async completeStructured<T>(request: LlmRequest, schema: StructuredSchema<T>): Promise<StructuredResult<T>> {
    const messages = withJsonInstruction(request.messages, schema);
    const first = await this.complete({ ...request, messages, responseFormat: 'json' });
    const firstOutcome = parseStructuredAnswer(first.text, schema);
    if (firstOutcome.ok) return { value: firstOutcome.value, result: first, attempts: 1 };

    const second = await this.complete({
      ...request,
      messages: repairMessages(messages, first.text, firstOutcome.errors),
      responseFormat: 'json',
    });
    const result = { ...second, usage: addUsage(first.usage, second.usage) };
    const secondOutcome = parseStructuredAnswer(second.text, schema);
    if (secondOutcome.ok) return { value: secondOutcome.value, result, attempts: 2 };
    throw llmUnavailable(
      `${this.name}: no valid "${schema.name}" answer after a repair attempt`,
      new SchemaViolation(secondOutcome.errors),
    );
  }
}
