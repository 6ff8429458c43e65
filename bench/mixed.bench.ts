// `npm run bench:mixed`: a mixed workload (sign-ins, profile reads, search, chat with the local
// provider, grading, admin lists) from 50 concurrent clients for 30 s against the built app on the
// embedded store, and with Redis when REDIS_URL is set. Prints req/s, p50/p99 per route, errors
// (must be 0) and the server's peak memory; afterwards checks that every record it created exists.
import { api, BENCH_ADMIN, hasTaskset, startApp, tokenFor, waitForDemoCourse } from './support/bench-server';

const CLIENTS = 50;
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 30) * 1000;
const QUESTIONS = [
  'What does range(5) produce?',
  'How do I define a function?',
  'What is a dictionary key?',
  'Quelle est la différence entre une liste et un tuple ?',
];

interface RouteStats {
  latencies: number[];
  errors: number;
}

type Step = { route: string; weight: number; run: (ctx: Context) => Promise<void> };

interface Context {
  url: string;
  student: { email: string; password: string; token: string };
  adminToken: string;
  created: { conversations: number; grades: number };
}

async function call(
  url: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown },
): Promise<{ status: number; json: { ok: boolean; data?: unknown } }> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as { ok: boolean; data?: unknown } };
}

function expectOk(result: { status: number; json: { ok: boolean } }, route: string): void {
  if (result.status >= 300 || !result.json.ok) throw new Error(`${route} answered ${result.status}`);
}

const STEPS: Step[] = [
  {
    route: 'POST /api/auth/login',
    weight: 4,
    run: async (c) =>
      expectOk(await call(c.url, '/api/auth/login', { body: { email: c.student.email, password: c.student.password } }), 'login'),
  },
  {
    route: 'GET /api/users/me',
    weight: 30,
    run: async (c) => expectOk(await call(c.url, '/api/users/me', { token: c.student.token }), 'me'),
  },
  {
    route: 'GET /api/search',
    weight: 20,
    run: async (c) =>
      expectOk(
        await call(c.url, `/api/search?q=${encodeURIComponent('how does a for loop work')}&k=5`, { token: c.student.token }),
        'search',
      ),
  },
  {
    route: 'POST /api/chat',
    weight: 18,
    run: async (c) => {
      expectOk(
        await call(c.url, '/api/chat', {
          token: c.student.token,
          body: { message: QUESTIONS[Math.floor(Math.random() * QUESTIONS.length)] },
        }),
        'chat',
      );
      c.created.conversations++;
    },
  },
  {
    route: 'POST /api/evaluation/grade',
    weight: 14,
    run: async (c) => {
      const body = {
        question: 'What does range(5) produce?',
        student_answer: `The numbers 0 to 4 (attempt ${Math.random()})`,
        reference_answer: 'range(5) produces 0, 1, 2, 3 and 4.',
      };
      expectOk(await call(c.url, '/api/evaluation/grade', { token: c.student.token, body }), 'grade');
      c.created.grades++;
    },
  },
  {
    route: 'GET /api/admin/users',
    weight: 7,
    run: async (c) => expectOk(await call(c.url, '/api/admin/users?limit=20', { token: c.adminToken }), 'admin users'),
  },
  {
    route: 'GET /api/admin/conversations',
    weight: 7,
    run: async (c) => expectOk(await call(c.url, '/api/admin/conversations?limit=20', { token: c.adminToken }), 'admin conversations'),
  },
];

function pick(): Step {
  const total = STEPS.reduce((n, s) => n + s.weight, 0);
  let roll = Math.random() * total;
  for (const step of STEPS) if ((roll -= step.weight) < 0) return step;
  return STEPS[0]!;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL;
  const server = await startApp(3904, {
    SEED_DEMO_CONTENT: 'true',
    CHAT_REQUESTS_PER_MINUTE: '100000',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench-${Date.now()}:` } : {}),
  });
  try {
    const student = { email: 'bench-mixed@example.org', password: 'bench-password-123', token: '' };
    student.token = await tokenFor(server.url, student.email, student.password, true);
    const adminToken = await tokenFor(server.url, BENCH_ADMIN.email, BENCH_ADMIN.password);
    await waitForDemoCourse(server.url, student.token);
    const before = await api<{ conversations: number; grades: number; messages: number }>(server.url, '/api/admin/stats', {
      token: adminToken,
    });

    const ctx: Context = { url: server.url, student, adminToken, created: { conversations: 0, grades: 0 } };
    const stats = new Map(STEPS.map((s) => [s.route, { latencies: [], errors: 0 } as RouteStats]));
    const deadline = Date.now() + DURATION_MS;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < deadline) {
          const step = pick();
          const t0 = performance.now();
          try {
            await step.run(ctx);
            stats.get(step.route)!.latencies.push(performance.now() - t0);
          } catch {
            stats.get(step.route)!.errors++;
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    let total = 0;
    let errors = 0;
    console.log(
      `\nMixed load: ${CLIENTS} clients, ${seconds.toFixed(0)} s, embedded store${redisUrl ? ' + Redis' : ''}, local provider, server ${hasTaskset ? 'pinned to one core' : 'not pinned'}`,
    );
    console.log('route                          req/s   p50 ms   p99 ms   errors');
    for (const [route, s] of stats) {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      total += s.latencies.length;
      errors += s.errors;
      console.log(
        `${route.padEnd(30)} ${(s.latencies.length / seconds).toFixed(0).padStart(6)}   ${percentile(sorted, 50).toFixed(1).padStart(6)}   ${percentile(sorted, 99).toFixed(1).padStart(6)}   ${s.errors}`,
      );
    }
    console.log(`${'all'.padEnd(30)} ${(total / seconds).toFixed(0).padStart(6)}   errors ${errors}`);
    console.log(`peak server memory: ${server.peakRssMb().toFixed(0)} MB`);

    const after = await api<{ conversations: number; grades: number; messages: number }>(server.url, '/api/admin/stats', {
      token: adminToken,
    });
    const conversationsOk = after.conversations - before.conversations === ctx.created.conversations;
    const messagesOk = after.messages - before.messages === 2 * ctx.created.conversations;
    const gradesOk = after.grades - before.grades === ctx.created.grades;
    console.log(
      `records: ${ctx.created.conversations} conversations (${conversationsOk ? 'all present' : 'MISSING'}), ${2 * ctx.created.conversations} messages (${messagesOk ? 'all present' : 'MISSING'}), ${ctx.created.grades} grades (${gradesOk ? 'all present' : 'MISSING'})\n`,
    );
    if (errors > 0 || !conversationsOk || !messagesOk || !gradesOk) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

void main();
