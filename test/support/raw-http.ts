import { connect, Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** An answer read off the wire, as a client without an HTTP library sees it. */
export interface RawAnswer {
  /** The status line's code; 0 when nothing came back. */
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
  /** Everything received, unparsed. */
  raw: string;
}

/** Listens on an ephemeral local port (once) and returns the port, for requests supertest cannot write. */
export async function portOf(app: NestFastifyApplication): Promise<number> {
  const server = app.getHttpServer();
  if (!server.listening) await app.listen(0, '127.0.0.1');
  return (server.address() as { port: number }).port;
}

/** The connection, opened, so a test can write to it in steps. */
export function openConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes bytes as they are on a fresh connection and reads the first answer: complete once its
 * `Content-Length` bytes arrived or the server closed the connection, else after `waitMs`.
 */
export async function sendRaw(port: number, bytes: string | Buffer, waitMs = 3_000): Promise<RawAnswer> {
  const socket = await openConnection(port);
  return new Promise<RawAnswer>((resolve) => {
    let received = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(received.toString('latin1')));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received.toString('latin1'))) finish();
    });
    // The server may close while the client is still writing (an oversized request): the answer
    // already received is what counts.
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

function isComplete(raw: string): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const answer = parseAnswer(raw);
  if (answer.status === 100) return false;
  const length = answer.headers['content-length'];
  return length !== undefined && Buffer.byteLength(answer.body, 'latin1') >= Number(length);
}

function parseAnswer(raw: string): RawAnswer {
  // An interim "100 Continue" precedes the answer proper.
  const text = raw.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: '', raw };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8'), raw };
}

function dechunk(text: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = lineEnd === -1 ? 0 : parseInt(text.slice(at, lineEnd), 16);
    if (!size) return body;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
