import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { redactSecrets } from './redact';

/**
 * pino's ISO timestamp, formatted once per millisecond: at thousands of requests per second most
 * log lines share their millisecond, and formatting a date was a visible share of a request.
 */
function isoTimeOncePerMillisecond(): (ms?: number) => string {
  let lastMs = -1;
  let formatted = '';
  return (ms = Date.now()) => {
    if (ms !== lastMs) {
      lastMs = ms;
      formatted = `,"time":"${new Date(ms).toISOString()}"`;
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
 * Standard output, written synchronously as pino does by default: a line is out before the call
 * returns, so nothing logged is lost if the process dies. (Asynchronous writes go through libuv's
 * thread pool, and on a busy core the hand-over cost more than the write.) The root logger and
 * the access log share this one stream, so their lines never interleave mid-line.
 */
export function createStdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/**
 * The application's logger. Secrets are removed at any depth of what is logged (redact.ts); pino's
 * own `redact` paths cannot say "this key anywhere". Errors are serialised there too, so pino's
 * error serialiser is left nothing to do.
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      ...BASE_OPTIONS,
      level,
      formatters: { ...BASE_OPTIONS.formatters, log: redactSecrets },
      serializers: { err: (error: unknown) => error },
    },
    destination,
  );
}

export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** The route pattern (`/api/modules/:id`), never the raw path with its ids. */
  route: string;
  status: number;
  durationMs: number;
}

/** Characters that need no escaping in a JSON string: all that request ids, methods and route patterns normally hold. */
const PLAIN_TEXT = /^[\w.\-/:*~]*$/;

/** A JSON string literal; JSON.stringify only for text that may need escaping (it costs several times more). */
function jsonString(value: string): string {
  return PLAIN_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** Gathered access lines are written once there are this many, or this long after the first. */
const ACCESS_BATCH_LINES = 100;
const ACCESS_BATCH_DELAY_MS = 250;

/** Access logs with lines not yet written; the process writes them out synchronously as it exits. */
const unwrittenAccessLogs = new Set<AccessLog>();
let exitHookInstalled = false;

/**
 * The one-line-per-request access log, in the shape of pino's lines (level, time, fields, msg) and
 * on the same stream. A request only records its entry; lines are formatted and handed to the
 * stream in batches (100 lines, or a quarter second after the first). Formatting and writing one
 * short line per request, through pino's generic serialiser or even by hand, cost a fifth of a
 * small request. The fields are fixed and never hold secrets, so no redaction is needed. Batches
 * are written when the app closes and when the process exits.
 */
export class AccessLog {
  private entries: AccessLogEntry[] = [];
  private times: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly time = isoTimeOncePerMillisecond();

  private constructor(private readonly destination: pino.DestinationStream) {}

  /** Null when the level leaves `info` out. */
  static create(level: string, destination: pino.DestinationStream): AccessLog | null {
    const levels = pino.levels.values;
    return (levels[level] ?? Number.POSITIVE_INFINITY) > levels.info! ? null : new AccessLog(destination);
  }

  write(entry: AccessLogEntry): void {
    this.entries.push(entry);
    this.times.push(Date.now());
    if (this.entries.length >= ACCESS_BATCH_LINES) this.flush();
    else if (!this.timer) this.startTimer();
  }

  /** Formats the gathered entries and hands them to the stream. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    unwrittenAccessLogs.delete(this);
    if (this.entries.length === 0) return;
    let text = '';
    this.entries.forEach((entry, i) => {
      text +=
        `{"level":"info"${this.time(this.times[i])},"request_id":${jsonString(entry.requestId)},"method":${jsonString(entry.method)},` +
        `"route":${jsonString(entry.route)},"status":${entry.status},"duration_ms":${Math.round(entry.durationMs * 10) / 10},"msg":"request"}\n`;
    });
    this.entries = [];
    this.times = [];
    this.destination.write(text);
  }

  private startTimer(): void {
    this.timer = setTimeout(() => this.flush(), ACCESS_BATCH_DELAY_MS).unref();
    unwrittenAccessLogs.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const log of unwrittenAccessLogs) log.flush();
      });
    }
  }
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
      // Our own lines: fields first, then what happened (`logger.warn({ request_id }, 'what')`).
      this.root[level]({ context, ...message }, stack);
    } else {
      this.root[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}
