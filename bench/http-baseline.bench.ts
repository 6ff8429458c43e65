// `npm run bench`: how close the whole stack (Fastify, Nest, JWT guard, account checks, envelope,
// request logging) comes to a bare node:http server answering a small JSON object.
// The servers run in child processes pinned to core 0 (when `taskset` exists), autocannon on this one.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROOT = join(__dirname, '..', '..');
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function startPinned(args: string[], env: Record<string, string>): ChildProcess {
  const [command, ...rest] = hasTaskset ? ['taskset', '-c', '0', process.execPath, ...args] : [process.execPath, ...args];
  return spawn(command, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitUntilUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  // A short warm-up so the JIT has compiled the hot paths before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

const BARE_SERVER = `
const http = require('node:http');
const body = JSON.stringify({ ok: true, data: { id: '665f1c2e8f1b2a3c4d5e6f70', email: 'bench@example.org' } });
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); }).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-bench-'));
  const apiPort = 3901;
  const barePort = 3902;
  const api = startPinned([join(ROOT, 'dist', 'src', 'main.js')], {
    NODE_ENV: 'production',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    JWT_ACCESS_SECRET: 'bench-access-secret-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
    JWT_REFRESH_SECRET: 'bench-refresh-secret-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
    ADMIN_EMAIL: 'bench-admin@example.org',
    ADMIN_PASSWORD: 'bench-admin-password-long',
  });
  const bare = startPinned(['-e', BARE_SERVER], { PORT: String(barePort) });
  try {
    await waitUntilUp(`http://127.0.0.1:${apiPort}/health/live`);
    await waitUntilUp(`http://127.0.0.1:${barePort}/`);
    const registration = await fetch(`http://127.0.0.1:${apiPort}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password: 'bench-password-123' }),
    });
    const token = ((await registration.json()) as { data: { access_token: string } }).data.access_token;

    const baseline = await load(`http://127.0.0.1:${barePort}/`);
    const me = await load(`http://127.0.0.1:${apiPort}/api/users/me`, { authorization: `Bearer ${token}` });

    const row = (name: string, f: Figures) =>
      `${name.padEnd(34)} ${f.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   errors ${f.errors + f.non2xx}`;
    console.log(`\nHTTP baseline: ${CONNECTIONS} connections, ${DURATION_S} s each, servers ${hasTaskset ? 'pinned to one core' : 'not pinned (no taskset)'}`);
    console.log(row('bare node:http (ceiling)', baseline));
    console.log(row('GET /api/users/me (JWT, full app)', me));
    console.log(`ratio app / ceiling: ${(me.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} (target >= 0.40)\n`);
    if (me.errors + me.non2xx > 0) process.exitCode = 1;
  } finally {
    api.kill('SIGTERM');
    bare.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
