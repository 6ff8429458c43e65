import type * as OpenAISdk from 'openai';
import { ApiError } from '../../common/errors/api-error';

/** How hard a remote call is retried before the caller gets `llm_unavailable`. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest wait for one attempt; for streams, the longest silence between two chunks. */
  attemptTimeoutMs: number;
  /** The whole operation, attempts and waits included, never runs longer than this. */
  deadlineMs: number;
  /** First backoff; doubled on each retry, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this wait. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  attemptTimeoutMs: 60_000,
  deadlineMs: 150_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
};

/** Builds a policy from the two numbers configuration exposes, with a deadline that fits them. */
export function retryPolicyFrom(timeoutMs: number, maxRetries: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    attemptTimeoutMs: timeoutMs,
    maxRetries,
    deadlineMs: timeoutMs * 2 + 30_000,
    ...overrides,
  };
}

/**
 * The caller gave up (its AbortSignal fired: the HTTP client went away). Distinct from
 * `llm_unavailable` so the caller does not report a provider failure nobody is waiting for.
 */
export class LlmAbortedError extends Error {
  constructor(message = 'The language model call was cancelled.') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isLlmAbort(error: unknown): error is LlmAbortedError {
  return error instanceof LlmAbortedError;
}

interface Failure {
  retryable: boolean;
  reason: string;
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Reads `retry-after-ms` (Azure) or `Retry-After` (seconds or an HTTP date), in milliseconds. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The SDK's error classes, loaded with the first failure to classify: only the remote providers,
 * which load the SDK themselves, fail with them, and a local instance starts without loading the
 * SDK's 150 files (about 0.1 s of CPU at start).
 */
function sdkErrors(): Pick<typeof OpenAISdk, 'APIConnectionError' | 'APIError'> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('openai') as typeof OpenAISdk;
}

function classify(error: unknown): Failure {
  const { APIConnectionError, APIError } = sdkErrors();
  if (error instanceof APIConnectionError) return { retryable: true, reason: `connection failed: ${error.message}` };
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    return {
      retryable: RETRYABLE_STATUS.has(status) || status >= 500,
      reason: `HTTP ${status}: ${error.message}`,
      retryAfterMs: retryAfterMs(error.headers as Headers | undefined),
    };
  }
  if (error instanceof StreamInterruptedError) return { retryable: true, reason: error.message };
  // undici reports a connection cut mid-body as a TypeError("terminated") whose cause has a code.
  // Matched by name: the error is made by Node's built-in fetch, whose TypeError is not the one of
  // a vm context such as a Jest test's.
  const cut = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = cut?.cause?.code;
  if (cut?.name === 'TypeError' && (cut.message === 'terminated' || (typeof code === 'string' && NETWORK_CODES.has(code)))) {
    return { retryable: true, reason: `connection lost: ${String(cut.message)}` };
  }
  return { retryable: false, reason: error instanceof Error ? error.message : String(error) };
}

/** A stream ended before the server said it was complete. */
export class StreamInterruptedError extends Error {
  constructor(message = 'the stream ended before the answer was complete') {
    super(message);
    this.name = 'StreamInterruptedError';
  }
}

export function llmUnavailable(reason: string, cause?: unknown): ApiError {
  const error = new ApiError('llm_unavailable', 'The language model is unavailable right now; please try again later.');
  // Kept for logs only: the reason may name hosts or deployments, which the client must not see.
  error.cause = new Error(reason, { cause });
  return error;
}

/** One attempt's own AbortSignal: fires on its timeout or when the caller aborts. */
export class AttemptScope {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal?.reason);
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Restarts the timeout: for a stream, each chunk proves the server is still there. */
  touch(): void {
    this.pause();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  /** Stops the clock while the consumer, not the server, is the one taking time. */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ends the attempt; aborting a finished request is harmless and closes an unfinished one. */
  dispose(): void {
    this.pause();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('attempt finished'));
  }
}

export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new LlmAbortedError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new LlmAbortedError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * The retry loop shared by chat, streaming and embeddings: exponential backoff with jitter,
 * Retry-After honoured on 429 and 5xx, a per-attempt timeout, an overall deadline, and no retry
 * once the caller has aborted.
 */
export class RetryRun {
  private attempts = 0;
  private readonly startedAt: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly callerSignal: AbortSignal | undefined,
    private readonly operation: string,
    private readonly clock: RetryClock = realClock,
  ) {
    this.startedAt = clock.now();
  }

  get attemptCount(): number {
    return this.attempts;
  }

  beginAttempt(): AttemptScope {
    if (this.callerSignal?.aborted) throw new LlmAbortedError();
    const remaining = this.policy.deadlineMs - (this.clock.now() - this.startedAt);
    if (remaining <= 0) throw llmUnavailable(`${this.operation}: deadline of ${this.policy.deadlineMs} ms reached`);
    this.attempts++;
    return new AttemptScope(Math.min(this.policy.attemptTimeoutMs, remaining), this.callerSignal);
  }

  /** The error to throw when no retry is allowed: the caller's abort, or `llm_unavailable`. */
  finalError(error: unknown, scope: AttemptScope): Error {
    if (this.callerSignal?.aborted) return new LlmAbortedError();
    const failure = scope.timedOut ? { reason: 'timed out' } : classify(error);
    return llmUnavailable(`${this.operation} failed after ${this.attempts} attempt(s): ${failure.reason}`, error);
  }

  /** Waits before the next attempt, or throws the error the caller must see. */
  async afterFailure(error: unknown, scope: AttemptScope): Promise<void> {
    if (this.callerSignal?.aborted) throw new LlmAbortedError();
    const failure: Failure = scope.timedOut ? { retryable: true, reason: 'timed out' } : classify(error);
    if (!failure.retryable || this.attempts > this.policy.maxRetries) throw this.finalError(error, scope);
    const wait = this.waitBefore(failure);
    const elapsed = this.clock.now() - this.startedAt;
    // A wait that would end past the deadline is not worth starting: fail now.
    if (elapsed + wait >= this.policy.deadlineMs) throw this.finalError(error, scope);
    await this.clock.sleep(wait, this.callerSignal);
  }

  private waitBefore(failure: Failure): number {
    if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, this.policy.maxRetryAfterMs);
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (this.attempts - 1));
    // "Equal jitter": at least half the backoff, so retries spread out without collapsing to zero.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
