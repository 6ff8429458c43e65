import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

export const BENCH_ADMIN = { email: 'bench-admin@example.org', password: 'bench-admin-password-long' };

export interface BenchServer {
  url: string;
  pid: number;
  /** Peak resident memory of the server process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts a Node program on one core (when taskset exists), so the load generator has the other;
 * unpinned, it may use every core (its worker threads included).
 */
export function startPinned(args: string[], env: Record<string, string>, pinned = true): ChildProcess {
  const [command, ...rest] = pinned && hasTaskset ? ['taskset', '-c', '0', process.execPath, ...args] : [process.execPath, ...args];
  return spawn(command!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * CPU time a process has used so far (user + system), in microseconds, from /proc; 0 where /proc
 * is absent. Unlike requests a second, CPU time a request barely moves when other work shares the
 * machine.
 */
export function cpuMicros(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of proc(5), counted from the state field (3) here.
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export async function waitUntilUp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    // Polled often: bench:startup times the start from this answer.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not come up`);
}

/** The built app (dist/src/main.js) in production mode on a fresh embedded store (or the DATA_DIR in `env`). */
export async function startApp(port: number, env: Record<string, string> = {}, pinned = true, upWithinMs = 60_000): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-bench-'));
  // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startPinned(
    [...nodeArgs, join(ROOT, 'dist', 'src', 'main.js')],
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      JWT_ACCESS_SECRET: 'bench-access-secret-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
      JWT_REFRESH_SECRET: 'bench-refresh-secret-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      // Production refuses to start without its browser origins (README, Configuration).
      CORS_ORIGINS: 'https://learning.example.org',
      ...env,
    },
    pinned,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/health/live`, upWithinMs);
  return {
    url,
    pid: child.pid!,
    peakRssMb: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      } catch {
        return 0;
      }
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api<T>(url: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const json = (await response.json()) as { ok: boolean; data: T; error?: unknown };
  if (!json.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json.error)}`);
  return json.data;
}

export async function tokenFor(url: string, email: string, password: string, register = false): Promise<string> {
  const data = await api<{ access_token: string }>(url, register ? '/api/auth/register' : '/api/auth/login', { body: { email, password } });
  return data.access_token;
}

/** Waits until the demo course (seeded in the background at start) is searchable. */
export async function waitForDemoCourse(url: string, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const modules = await api<{ items: { resource_count: number }[] }>(url, '/api/modules', { token });
    if (modules.items.length >= 2 && modules.items.every((m) => m.resource_count >= 4)) {
      const status = await api<{ chunks: number }>(url, '/api/admin/index/status', {
        token: await tokenFor(url, BENCH_ADMIN.email, BENCH_ADMIN.password),
      });
      if (status.chunks > 0) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the demo course did not load');
}
