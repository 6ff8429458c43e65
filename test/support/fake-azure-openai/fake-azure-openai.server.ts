import { createHash } from 'node:crypto';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP server that speaks the Azure OpenAI REST protocol (and the plain OpenAI one under
 * /v1) well enough for the SDK: chat completions as JSON or SSE streams, embeddings, error answers
 * with Retry-After, delays, hangs and cut connections. Tests script the answers and read back
 * what was asked.
 *
 *   Azure:             POST {url}/openai/deployments/{deployment}/chat/completions?api-version=...
 *                      POST {url}/openai/deployments/{deployment}/embeddings?api-version=...
 *   OpenAI-compatible: POST {url}/v1/chat/completions, POST {url}/v1/embeddings
 */

export type FakeRoute = 'chat' | 'embeddings';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FakeReply =
  /** A chat completion answered as JSON. */
  | { type: 'chat'; text: string; usage?: Partial<FakeUsage>; model?: string; finishReason?: string; delayMs?: number }
  /**
   * A streamed chat completion: one SSE chunk per entry of `chunks`. `hangAfter` stops sending
   * after that many chunks and holds the connection open; `dropAfter` cuts the connection.
   * The usage chunk is sent when the request asked for it (`stream_options.include_usage`).
   */
  | {
      type: 'stream';
      chunks: string[];
      usage?: Partial<FakeUsage>;
      model?: string;
      finishReason?: string;
      chunkDelayMs?: number;
      delayMs?: number;
      hangAfter?: number;
      dropAfter?: number;
    }
  /** Embeddings for each input; `vectors` overrides the deterministic default ones. */
  | { type: 'embeddings'; vectors?: number[][]; dimensions?: number; model?: string; delayMs?: number }
  /** An error answer in Azure's shape, with Retry-After (seconds) or retry-after-ms when given. */
  | { type: 'error'; status: number; message?: string; retryAfter?: string; retryAfterMs?: number; delayMs?: number }
  /**
   * Azure's content filter refusing the prompt: HTTP 400, `code: "content_filter"`, and an
   * `innererror` naming the filtered categories (default: violence). A filtered answer is a `chat`
   * or `stream` reply with `finishReason: 'content_filter'`.
   */
  | { type: 'prompt-filtered'; categories?: string[]; delayMs?: number }
  /** Any status, headers and JSON body. */
  | { type: 'raw'; status: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Reads the request and never answers (until the client gives up). */
  | { type: 'hang' }
  /** Cuts the connection without an answer. */
  | { type: 'drop'; delayMs?: number };

export type FakeResponder = (request: RecordedRequest) => FakeReply;

export interface RecordedRequest {
  route: FakeRoute | 'other';
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when absent or not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON the client sent
  body: any;
  /** The deployment named in an Azure path. */
  deployment?: string;
  receivedAt: number;
  /** Settles when the exchange ends: `client-closed` when the client hung up before the answer was complete. */
  ended: Promise<'completed' | 'client-closed'>;
}

export interface FakeAzureOpenAIOptions {
  /** When set, requests must carry this `api-key` header (or the bearer token below). */
  apiKey?: string;
  /** When set, requests may authenticate with `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Length of the default embedding vectors. */
  dimensions?: number;
  /** Reply used when nothing is scripted for a chat request; defaults to an echo of the last user message. */
  defaultChat?: FakeResponder;
  defaultEmbeddings?: FakeResponder;
}

export interface FakeAzureOpenAI {
  /** Base URL, e.g. http://127.0.0.1:PORT (the Azure endpoint). */
  url: string;
  /** Base URL for OpenAI-compatible clients: `${url}/v1`. */
  openaiBaseUrl: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues replies for a route, used one per request, before the default reply applies. */
  enqueue(route: FakeRoute, ...replies: FakeReply[]): void;
  /** Replaces the reply used once the queue of a route is empty. */
  setDefault(route: FakeRoute, responder: FakeResponder): void;
  /** Clears recorded requests and queued replies and restores default replies. */
  reset(): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const DEFAULT_DIMENSIONS = 8;

export async function startFakeAzureOpenAI(options: FakeAzureOpenAIOptions = {}): Promise<FakeAzureOpenAI> {
  const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
  const queues: Record<FakeRoute, FakeReply[]> = { chat: [], embeddings: [] };
  const initialDefaults: Record<FakeRoute, FakeResponder> = {
    chat: options.defaultChat ?? echoLastUserMessage,
    embeddings: options.defaultEmbeddings ?? (() => ({ type: 'embeddings', dimensions })),
  };
  const defaults = { ...initialDefaults };
  const requests: RecordedRequest[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let settle!: (value: 'completed' | 'client-closed') => void;
    const ended = new Promise<'completed' | 'client-closed'>((resolve) => (settle = resolve));
    res.on('close', () => settle(res.writableFinished ? 'completed' : 'client-closed'));

    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    const plain = /^\/v1\/(chat\/completions|embeddings)$/.exec(url.pathname);
    const operation = azure?.[2] ?? plain?.[1];
    const recorded: RecordedRequest = {
      route: operation === 'chat/completions' ? 'chat' : operation === 'embeddings' ? 'embeddings' : 'other',
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parseJson(raw),
      deployment: azure ? decodeURIComponent(azure[1]) : undefined,
      receivedAt: Date.now(),
      ended,
    };
    requests.push(recorded);
    waiters.splice(0).forEach((wake) => wake());

    if (recorded.route === 'other' || req.method !== 'POST') {
      return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    }
    if (azure && !recorded.query['api-version']) {
      return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    }
    if (!authorised(req.headers)) {
      return sendJson(res, 401, {
        error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' },
      });
    }
    if (recorded.body === undefined) {
      return sendJson(res, 400, { error: { code: 'invalid_request', message: 'The request body is not valid JSON.' } });
    }
    const route = recorded.route;
    const reply = queues[route].shift() ?? defaults[route](recorded);
    await play(reply, recorded, res);
  }

  function authorised(headers: IncomingHttpHeaders): boolean {
    if (!options.apiKey && !options.bearerToken) return true;
    if (options.apiKey && headers['api-key'] === options.apiKey) return true;
    return Boolean(options.bearerToken && headers.authorization === `Bearer ${options.bearerToken}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    requests,
    enqueue(route, ...replies) {
      queues[route].push(...replies);
    },
    setDefault(route, responder) {
      defaults[route] = responder;
    },
    reset() {
      requests.length = 0;
      queues.chat.length = 0;
      queues.embeddings.length = 0;
      Object.assign(defaults, initialDefaults);
    },
    async waitForRequests(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requests.slice(0, count);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };

  async function play(reply: FakeReply, request: RecordedRequest, res: ServerResponse): Promise<void> {
    if ('delayMs' in reply && reply.delayMs) await pause(reply.delayMs, res);
    if (res.destroyed) return;
    switch (reply.type) {
      case 'chat':
        return sendJson(res, 200, chatCompletion(reply, request));
      case 'stream':
        return streamCompletion(reply, request, res);
      case 'embeddings':
        return sendJson(res, 200, embeddingsAnswer(reply, request, dimensions));
      case 'error': {
        const headers: Record<string, string> = {};
        if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
        return sendJson(
          res,
          reply.status,
          { error: { code: String(reply.status), message: reply.message ?? `Fake error ${reply.status}` } },
          headers,
        );
      }
      case 'prompt-filtered':
        return sendJson(res, 400, promptFilteredError(reply.categories ?? ['violence']));
      case 'raw':
        return sendJson(res, reply.status, reply.body, reply.headers);
      case 'hang':
        return; // the response stays open until the client or close() ends it
      case 'drop':
        res.socket?.destroy();
        return;
    }
  }
}

/** The default chat answer: deterministic, and shows which question reached the model. */
function echoLastUserMessage(request: RecordedRequest): FakeReply {
  const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const text = `Fake answer to: ${String(last).slice(0, 200)}`;
  if (request.body?.stream) return { type: 'stream', chunks: text.match(/\S+\s*/g) ?? [text] };
  return { type: 'chat', text };
}

const FILTER_CATEGORIES = ['hate', 'self_harm', 'sexual', 'violence'];

/** Azure's per-category results; the ones named are filtered at medium severity. */
function filterResults(filtered: string[]): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const category of FILTER_CATEGORIES) {
    results[category] = filtered.includes(category) ? { filtered: true, severity: 'medium' } : { filtered: false, severity: 'safe' };
  }
  if (filtered.includes('jailbreak')) results.jailbreak = { filtered: true, detected: true };
  return results;
}

/** The body Azure answers a filtered prompt with (HTTP 400). */
function promptFilteredError(categories: string[]) {
  return {
    error: {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: filterResults(categories) },
    },
  };
}

/** What Azure attaches to a choice: every category, filtered ones marked, when the answer was stopped. */
function choiceFilterResults(request: RecordedRequest, finishReason: string | undefined): Record<string, unknown> {
  if (!request.deployment) return {};
  return { content_filter_results: filterResults(finishReason === 'content_filter' ? ['violence'] : []) };
}

function chatCompletion(reply: Extract<FakeReply, { type: 'chat' }>, request: RecordedRequest) {
  return {
    id: `chatcmpl-fake-${request.receivedAt}`,
    object: 'chat.completion',
    created: Math.floor(request.receivedAt / 1000),
    model: reply.model ?? 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.text },
        finish_reason: reply.finishReason ?? 'stop',
        logprobs: null,
        ...choiceFilterResults(request, reply.finishReason),
      },
    ],
    usage: usageFor(request, reply.text, reply.usage),
  };
}

async function streamCompletion(
  reply: Extract<FakeReply, { type: 'stream' }>,
  request: RecordedRequest,
  res: ServerResponse,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const base = {
    id: `chatcmpl-fake-${request.receivedAt}`,
    object: 'chat.completion.chunk',
    created: Math.floor(request.receivedAt / 1000),
    model: reply.model ?? 'gpt-4o-mini-2024-07-18',
  };
  // Resolves once the chunk is handed to the socket, so a later drop cannot swallow it.
  const send = (data: unknown) =>
    new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      res.write(`data: ${JSON.stringify(data)}\n\n`, () => resolve());
    });
  // Azure opens every stream with the prompt's content-filter results and no choices.
  if (request.deployment) {
    await send({
      id: '',
      object: '',
      created: 0,
      model: '',
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    });
  }
  await send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null });
  for (let i = 0; i < reply.chunks.length; i++) {
    if (reply.hangAfter === i) return;
    if (reply.dropAfter === i) {
      res.socket?.destroy();
      return;
    }
    if (reply.chunkDelayMs) await pause(reply.chunkDelayMs, res);
    if (res.destroyed) return;
    await send({ ...base, choices: [{ index: 0, delta: { content: reply.chunks[i] }, finish_reason: null }], usage: null });
  }
  if (reply.hangAfter !== undefined && reply.hangAfter >= reply.chunks.length) return;
  if (reply.dropAfter !== undefined && reply.dropAfter >= reply.chunks.length) {
    res.socket?.destroy();
    return;
  }
  await send({
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: reply.finishReason ?? 'stop', ...choiceFilterResults(request, reply.finishReason) }],
    usage: null,
  });
  if (request.body?.stream_options?.include_usage) {
    await send({ ...base, choices: [], usage: usageFor(request, reply.chunks.join(''), reply.usage) });
  }
  res.end('data: [DONE]\n\n');
}

function embeddingsAnswer(reply: Extract<FakeReply, { type: 'embeddings' }>, request: RecordedRequest, defaultDimensions: number) {
  const raw = request.body?.input;
  const inputs: string[] = Array.isArray(raw) ? raw.map(String) : [String(raw ?? '')];
  const dimensions = reply.dimensions ?? request.body?.dimensions ?? defaultDimensions;
  const vectors = reply.vectors ?? inputs.map((text) => hashVector(text, dimensions));
  const base64 = request.body?.encoding_format === 'base64';
  return {
    object: 'list',
    model: reply.model ?? 'text-embedding-3-small',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    })),
    usage: {
      prompt_tokens: inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0),
      total_tokens: inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0),
    },
  };
}

/** A unit vector derived from the text, so equal texts embed equally across runs. */
export function hashVector(text: string, dimensions: number): number[] {
  const values: number[] = [];
  let block = 0;
  while (values.length < dimensions) {
    const digest = createHash('sha256').update(`${block++}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) values.push(digest.readInt16BE(i) / 32768);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

function usageFor(request: RecordedRequest, completion: string, override: Partial<FakeUsage> | undefined): FakeUsage {
  const messages: Array<{ content?: unknown }> = request.body?.messages ?? [];
  const prompt =
    override?.prompt_tokens ??
    messages.reduce(
      (n, m) => n + 4 + Math.ceil((typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')).length / 4),
      0,
    );
  const completionTokens = override?.completion_tokens ?? Math.ceil(completion.length / 4);
  return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: override?.total_tokens ?? prompt + completionTokens };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Waits, but stops early when the client has gone. */
function pause(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}
