import type request from 'supertest';

/** The payloads of the contract's stream events (`meta`, `token`, `sources`, `done`, `error`), merged. */
export type SseData<Source = unknown> = {
  conversation_id?: string;
  delta?: string;
  sources?: Source[];
  message_id?: string;
  answer?: string;
  code?: string;
  message?: string;
};
export type SseEvent<Source = unknown> = { event: string; data: SseData<Source> };

/** Parses a `text/event-stream` body into its events, in order. */
export function parseEvents<Source = unknown>(text: string): SseEvent<Source>[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) as SseData<Source> };
    });
}

/** Collects a streamed body as text whatever its content type (JSON error envelopes are parsed by the caller). */
export function streamText(res: request.Response, done: (error: Error | null, body: string) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
}
