// Type-only: @azure/openai adds Azure's fields to the openai SDK's types and is never loaded at run
// time. tsconfig.json maps this subpath, which "moduleResolution": "node" cannot read from `exports`.
import type { ContentFilterResultDetailsForPromptOutput, ContentFilterResultsForChoiceOutput } from '@azure/openai/types';
import { APIError } from 'openai';
import { ApiError } from '../../common/errors/api-error';

/**
 * Azure's content filter, https://learn.microsoft.com/azure/ai-services/openai/concepts/content-filter:
 * a filtered prompt is refused with HTTP 400, `error.code: "content_filter"` and an `innererror`
 * (`code: "ResponsibleAIPolicyViolation"`, `content_filter_result` per category); a filtered answer
 * ends with `finish_reason: "content_filter"`. The same prompt would be refused again, so neither
 * is retried: the client gets 422 `content_filtered` at once (API.md).
 */
interface AzureErrorBody {
  code?: unknown;
  innererror?: { code?: unknown; content_filter_result?: ContentFilterResultDetailsForPromptOutput };
}

/** The refusal of a prompt by Azure's content filter, or null for any other failure. */
export function promptRefusal(error: unknown): ApiError | null {
  if (!(error instanceof APIError) || error.status !== 400) return null;
  const body = (error.error ?? {}) as AzureErrorBody;
  const inner = body.innererror;
  if (error.code !== 'content_filter' && body.code !== 'content_filter' && inner?.code !== 'ResponsibleAIPolicyViolation') return null;
  return contentFiltered('prompt', filteredCategories(inner?.content_filter_result));
}

/** The withheld answer of a completion whose `finish_reason` is `content_filter`. */
export function answerRefusal(results?: ContentFilterResultsForChoiceOutput): ApiError {
  return contentFiltered('answer', filteredCategories(results));
}

function contentFiltered(what: 'prompt' | 'answer', categories: string[]): ApiError {
  const error = new ApiError(
    'content_filtered',
    what === 'prompt'
      ? "The model provider's content policy refused this request; rephrase it and try again."
      : "The model provider's content policy withheld the answer; rephrase the request and try again.",
  );
  // For logs only, like llm_unavailable's reason: which categories tripped the filter.
  error.cause = new Error(`content filter refused the ${what}${categories.length ? ` (${categories.join(', ')})` : ''}`);
  return error;
}

function filteredCategories(results: object | undefined): string[] {
  if (!results) return [];
  return Object.entries(results)
    .filter(([, result]) => Boolean(result && typeof result === 'object' && (result as { filtered?: unknown }).filtered === true))
    .map(([category]) => category);
}
