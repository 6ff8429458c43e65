import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** Never written to a log, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'current_password',
  '*.current_password',
  'new_password',
  '*.new_password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers.cookie',
  'api_key',
  '*.api_key',
  'apiKey',
  '*.apiKey',
];

/**
 * pino's ISO timestamp, formatted once per millisecond: at thousands of requests per second most
 * log lines share their millisecond, and formatting a date was a visible share of a request.
 */
function isoTimeOncePerMillisecond(): () => string {
  let lastMs = -1;
  let formatted = '';
  return () => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      formatted = `,"time":"${new Date(now).toISOString()}"`;
    }
    return formatted;
  };
}

const BASE_OPTIONS: pino.LoggerOptions = {
  base: undefined,
  timestamp: isoTimeOncePerMillisecond(),
  messageKey: 'msg',
  formatters: { level: (label) => ({ level: label }) },
};

/**
 * Standard output, written asynchronously: lines logged while a write is under way are gathered
 * into the next write instead of costing one system call each. pino flushes it synchronously when
 * the process exits, so the last lines (a fatal error's among them) are not lost. The root and the
 * access logger share this one stream so their lines never interleave mid-line.
 */
export function createStdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ ...BASE_OPTIONS, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** The route pattern (`/api/modules/:id`), never the raw path with its ids. */
  route: string;
  status: number;
  durationMs: number;
}

/**
 * The one-line-per-request access log, in the shape of pino's lines (level, time, fields, msg) and
 * on the same stream. Its fields are fixed and never hold secrets, so the line is built directly
 * rather than through pino's generic serialiser and redaction, which cost several times more than
 * the rest of a small request's logging. Returns null when the level leaves `info` out.
 */
export function createAccessLog(level: string, destination: pino.DestinationStream): ((entry: AccessLogEntry) => void) | null {
  const levels = pino.levels.values;
  if ((levels[level] ?? Number.POSITIVE_INFINITY) > levels.info!) return null;
  const time = isoTimeOncePerMillisecond();
  return (entry) => {
    destination.write(
      `{"level":"info"${time()},"request_id":${JSON.stringify(entry.requestId)},"method":${JSON.stringify(entry.method)},` +
        `"route":${JSON.stringify(entry.route)},"status":${entry.status},"duration_ms":${Math.round(entry.durationMs * 10) / 10},"msg":"request"}\n`,
    );
  };
}

/** Nest's logger interface on top of pino, so framework and application logs share one JSON stream. */
export class AppLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last, and for errors a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) {
      this.root[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ context, ...message });
    } else {
      this.root[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}
