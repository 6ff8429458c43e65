// `npm run bench`: how close the whole stack (Fastify, Nest, JWT guard, account checks, envelope,
// request logging) comes to a bare node:http server answering a small JSON object.
// The servers run in child processes pinned to core 0 (when `taskset` exists), autocannon on this one.
import autocannon from 'autocannon';
import { hasTaskset, startApp, startPinned, tokenFor, waitUntilUp } from './support/bench-server';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  // A short warm-up so the JIT has compiled the hot paths before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

const BARE_SERVER = `
const http = require('node:http');
const body = JSON.stringify({ ok: true, data: { id: '665f1c2e8f1b2a3c4d5e6f70', email: 'bench@example.org' } });
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); }).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main(): Promise<void> {
  const barePort = 3902;
  const api = await startApp(3901);
  const bare = startPinned(['-e', BARE_SERVER], { PORT: String(barePort) });
  try {
    await waitUntilUp(`http://127.0.0.1:${barePort}/`);
    const token = await tokenFor(api.url, 'bench@example.org', 'bench-password-123', true);
    const baseline = await load(`http://127.0.0.1:${barePort}/`);
    const me = await load(`${api.url}/api/users/me`, { authorization: `Bearer ${token}` });

    const row = (name: string, f: Figures) =>
      `${name.padEnd(34)} ${f.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   errors ${f.errors + f.non2xx}`;
    console.log(
      `\nHTTP baseline: ${CONNECTIONS} connections, ${DURATION_S} s each, servers ${hasTaskset ? 'pinned to one core' : 'not pinned (no taskset)'}`,
    );
    console.log(row('bare node:http (ceiling)', baseline));
    console.log(row('GET /api/users/me (JWT, full app)', me));
    console.log(`ratio app / ceiling: ${(me.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} (target >= 0.40)\n`);
    if (me.errors + me.non2xx > 0) process.exitCode = 1;
  } finally {
    await api.stop();
    bare.kill('SIGTERM');
  }
}

void main();
