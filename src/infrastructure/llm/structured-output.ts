import type { ChatMessage, StructuredSchema } from './llm.types';

/** Thrown by a StructuredSchema's `parse` with one line per problem, shown to the model on repair. */
export class SchemaViolation extends Error {
  constructor(readonly messages: string[]) {
    super(`The answer does not match the expected shape: ${messages.join('; ')}`);
    this.name = 'SchemaViolation';
  }
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Reads a model's JSON answer. Models served through OpenAI-compatible servers often wrap JSON in
 * a Markdown fence or add a sentence around it even when asked not to, so the outermost object or
 * array is taken from the text before parsing.
 */
export function parseStructuredAnswer<T>(text: string, schema: StructuredSchema<T>): ParseOutcome<T> {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, errors: ['the answer is not a JSON value'] };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, errors: [`the answer is not valid JSON (${(error as Error).message})`] };
  }
  try {
    return { ok: true, value: schema.parse(value) };
  } catch (error) {
    if (error instanceof SchemaViolation) return { ok: false, errors: error.messages };
    return { ok: false, errors: [(error as Error).message ?? String(error)] };
  }
}

function extractJson(text: string): string | undefined {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  const body = fenced ? fenced[1] : trimmed;
  if (body.startsWith('{') || body.startsWith('[')) return body;
  const start = body.search(/[[{]/);
  if (start < 0) return undefined;
  const close = body[start] === '{' ? '}' : ']';
  const end = body.lastIndexOf(close);
  return end > start ? body.slice(start, end + 1) : undefined;
}

/** Adds the "answer with JSON of this shape" instruction to the system message (one system message keeps every server happy). */
export function withJsonInstruction(messages: readonly ChatMessage[], schema: StructuredSchema<unknown>): ChatMessage[] {
  const instruction =
    `Reply with a single JSON value and nothing else (no Markdown, no comments). ` +
    `It must match this JSON Schema, named "${schema.name}":\n${JSON.stringify(schema.jsonSchema)}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

export function repairMessages(messages: readonly ChatMessage[], previousAnswer: string, errors: readonly string[]): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: previousAnswer },
    {
      role: 'user',
      content:
        `Your previous answer could not be used:\n${errors.map((e) => `- ${e}`).join('\n')}\n` +
        `Reply again with only the corrected JSON value, matching the schema given above.`,
    },
  ];
}
