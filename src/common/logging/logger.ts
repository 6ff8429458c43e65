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

const BASE_OPTIONS: pino.LoggerOptions = {
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  messageKey: 'msg',
  formatters: { level: (label) => ({ level: label }) },
};

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ ...BASE_OPTIONS, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/**
 * The one-line-per-request access log. Its fields are fixed and never hold secrets (request id,
 * method, route pattern, status, duration), so it skips redaction, which would otherwise be the
 * largest cost of logging every request.
 */
export function createAccessLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ ...BASE_OPTIONS, level }, destination);
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
