import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { AccessLog } from '../../../src/common/logging/logger';

function capture() {
  const writes: string[] = [];
  const destination: DestinationStream = { write: (text: string) => void writes.push(text) };
  return {
    writes,
    destination,
    lines: () =>
      writes
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const entry = (requestId: string) => ({ requestId, method: 'GET', route: '/api/users/me', status: 200, durationMs: 1.234 });

describe('AccessLog', () => {
  it('should write pino-shaped JSON lines, gathered, within a quarter second', async () => {
    const { writes, destination, lines } = capture();
    const log = AccessLog.create('info', destination)!;
    log.write(entry('one'));
    log.write(entry('two'));
    assert.equal(writes.length, 0, 'not one write per line');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(writes.length, 1);
    const [first, second] = lines();
    assert.deepEqual(
      { ...first, time: undefined },
      {
        level: 'info',
        time: undefined,
        request_id: 'one',
        method: 'GET',
        route: '/api/users/me',
        status: 200,
        duration_ms: 1.2,
        msg: 'request',
      },
    );
    assert.ok(!Number.isNaN(Date.parse(String(first!.time))));
    assert.equal(second!.request_id, 'two');
  });

  it('should write as soon as a batch is large, and everything on flush', () => {
    const { writes, destination, lines } = capture();
    const log = AccessLog.create('info', destination)!;
    for (let i = 0; i < 200; i += 1) log.write(entry(`r${i}`));
    assert.ok(writes.length >= 1, 'a full batch is written at once');
    log.flush();
    assert.deepEqual(
      lines().map((l) => l.request_id),
      Array.from({ length: 200 }, (_, i) => `r${i}`),
      'every line, once, in order',
    );
  });

  it('should escape what it writes and be off when the level leaves info out', () => {
    const { destination, lines } = capture();
    const log = AccessLog.create('debug', destination)!;
    log.write({ ...entry('quote"and\\backslash'), route: 'unmatched' });
    log.flush();
    assert.equal(lines()[0]!.request_id, 'quote"and\\backslash');
    assert.equal(AccessLog.create('warn', destination), null);
    assert.equal(AccessLog.create('silent', destination), null);
  });

  it('should write the lines still gathered when the process exits', () => {
    const logger = join(__dirname, '..', '..', '..', 'src', 'common', 'logging', 'logger.js');
    const program = `
      const { AccessLog, createStdoutDestination } = require(${JSON.stringify(logger)});
      const log = AccessLog.create('info', createStdoutDestination());
      log.write({ requestId: 'just-before-exit', method: 'GET', route: '/health/live', status: 200, durationMs: 1 });
      process.exit(3);
    `;
    const child = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
    assert.equal(child.status, 3);
    assert.match(child.stdout, /"request_id":"just-before-exit"/);
  });
});
