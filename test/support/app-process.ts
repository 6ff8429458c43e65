import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, waitFor } from './redis-server';
import { TEST_ADMIN } from './test-app';

/** The built application, as `npm run start:prod` runs it. */
export const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

/** One `node dist/src/main.js` process with its own port and DATA_DIR. */
export interface AppProcess {
  url: string;
  http: ReturnType<typeof request>;
  /** Every JSON log line so far. */
  logs: () => Record<string, unknown>[];
  /** Stops it without letting it finish anything (a crash, a lost machine). */
  kill: () => Promise<void>;
  /** SIGTERM, then waits for it to exit; removes its DATA_DIR. */
  stop: () => Promise<void>;
}

/** The exit code of an instance that found its port taken (src/main.ts, EX_UNAVAILABLE). */
const PORT_TAKEN = 69;

/**
 * Starts the application in a process of its own and waits until it is ready. Instances of one
 * test share `env` (MONGODB_URI, REDIS_URL, the JWT secrets, so a token works on each of them).
 *
 * The port comes from `freePort()`, which releases it before the child binds it, so another
 * process (a parallel test file's instance) can take it in between: the child then stops with
 * PORT_TAKEN and is started again on another port. Readiness counts only once the child itself
 * said it listens on its port, never a `/health/ready` answered by whatever else holds it.
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(env);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 5) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-instance-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      JWT_ACCESS_SECRET: 'instances-access-secret-that-is-long-enough-0123456789',
      JWT_REFRESH_SECRET: 'instances-refresh-secret-that-is-long-enough-0123456789',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = pending + chunk.toString('utf8');
    const parts = text.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test that then sees ECONNREFUSED learns why from the log, not only that nothing answered.
  void exited.then(() => {
    if (!stopping)
      process.stderr.write(`The app on port ${port} exited by itself (code ${child.exitCode}, ${child.signalCode}): ${stderr}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const listening = `API listening on ${url} `;
  const cleanUp = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await waitFor(
      async () => {
        if (child.exitCode === PORT_TAKEN) throw new PortTaken(stderr);
        if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${stderr}`);
        if (!lines.some((line) => line.startsWith(listening))) return false;
        return (
          (
            await request(url)
              .get('/health/ready')
              .catch(() => null)
          )?.status === 200
        );
      },
      60_000,
      100,
    );
  } catch (error) {
    stopping = true;
    child.kill('SIGKILL');
    await exited;
    cleanUp();
    throw error;
  }
  return {
    url,
    http: request(url),
    logs: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    kill: async () => {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      cleanUp();
    },
  };
}
