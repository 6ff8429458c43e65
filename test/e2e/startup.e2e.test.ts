import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `node dist/src/main.js` as an operator starts it: what it says and how it exits when it cannot start. */

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');
const STRONG = 'q8v2Zt9kLm3Xp7Rw1Yc6Hn4Bd0Fg5JsA';

function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function listening(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

describe('starting the server', () => {
  it('should say in one line that the port is taken, and exit non-zero without touching its data', async () => {
    const taken = await listening();
    const port = (taken.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'lp-startup-'));
    try {
      const result = await start({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir });
      assert.notEqual(result.code, 0);
      assert.notEqual(result.code, null, 'it stopped by itself');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`\\b${port}\\b`));
      assert.match(lines[0], /in use/);
      assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at |Error:/);
      assert.equal(readdirSync(dataDir).length, 0, 'the data directory is left alone');
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('should refuse to start in production without CORS_ORIGINS, with the configuration exit code', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lp-startup-'));
    try {
      const result = await start({
        NODE_ENV: 'production',
        PORT: '0',
        DATA_DIR: dataDir,
        JWT_ACCESS_SECRET: STRONG,
        JWT_REFRESH_SECRET: `${STRONG}x`,
        ADMIN_EMAIL: 'ops@school.example',
        ADMIN_PASSWORD: 'a-long-admin-passphrase',
      });
      assert.equal(result.code, 78);
      assert.match(result.stderr, /CORS_ORIGINS is required in production/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
