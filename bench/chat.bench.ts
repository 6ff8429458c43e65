// `npm run bench:chat`: 50 concurrent clients sending POST /api/chat with the local provider on the
// embedded store (demo course loaded), and GET /api/users/me in the same run as the baseline.
import autocannon from 'autocannon';
import { startApp, tokenFor, waitForDemoCourse, hasTaskset } from './support/bench-server';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const QUESTIONS = [
  'What does range(5) produce?',
  'How do I define a function?',
  'What is a dictionary key?',
  'Quelle est la différence entre une liste et un tuple ?',
  'Why does my while loop never end?',
];

async function main(): Promise<void> {
  const server = await startApp(3903, { SEED_DEMO_CONTENT: 'true', CHAT_REQUESTS_PER_MINUTE: '100000' });
  try {
    const token = await tokenFor(server.url, 'bench-chat@example.org', 'bench-password-123', true);
    await waitForDemoCourse(server.url, token);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let next = 0;
    const run = (path: string, method: 'GET' | 'POST', body?: () => string) =>
      autocannon({
        url: `${server.url}${path}`,
        connections: CONNECTIONS,
        duration: DURATION_S,
        method,
        headers,
        ...(body ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }) }] } : {}),
      });
    await run('/api/users/me', 'GET');
    const me = await run('/api/users/me', 'GET');
    const chat = await run('/api/chat', 'POST', () => JSON.stringify({ message: QUESTIONS[next++ % QUESTIONS.length] }));
    const row = (name: string, r: autocannon.Result) =>
      `${name.padEnd(22)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(5)} ms   errors ${r.errors + r.non2xx}`;
    console.log(
      `\nChat load: ${CONNECTIONS} connections, ${DURATION_S} s each, local provider, embedded store, server ${hasTaskset ? 'pinned to one core' : 'not pinned'}`,
    );
    console.log(row('GET /api/users/me', me));
    console.log(row('POST /api/chat', chat));
    console.log(`peak server memory: ${server.peakRssMb().toFixed(0)} MB\n`);
    if (chat.errors + chat.non2xx > 0) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

void main();
