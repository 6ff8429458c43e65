// `npm run bench`: how close the whole stack (Fastify, Nest, JWT guard, account checks, envelope,
// request logging) comes to a bare node:http server answering a small JSON object.
// The servers run in child processes pinned to core 0 (when `taskset` exists), autocannon on this one.
// The machine's own speed drifts by a third within minutes here (shared hosts), so the two servers
// are measured in alternating rounds and the ratio is the median of the rounds' ratios.
import autocannon from 'autocannon';
import { cpuMicros, hasTaskset, startApp, startPinned, tokenFor, waitUntilUp } from './support/bench-server';

const CONNECTIONS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The server's CPU time per request, in microseconds. */
  cpuMicrosPerRequest: number;
}

async function load(url: string, pid: number, headers: Record<string, string> = {}): Promise<Figures> {
  const cpuBefore = cpuMicros(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return {
    cpuMicrosPerRequest: (cpuMicros(pid) - cpuBefore) / Math.max(1, result.requests.total),
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median round of each figure. */
function summary(rounds: Figures[]): Figures {
  const of = (pick: (f: Figures) => number) => median(rounds.map(pick));
  return {
    requestsPerSecond: of((f) => f.requestsPerSecond),
    p50: of((f) => f.p50),
    p99: of((f) => f.p99),
    cpuMicrosPerRequest: of((f) => f.cpuMicrosPerRequest),
    errors: rounds.reduce((sum, f) => sum + f.errors, 0),
    non2xx: rounds.reduce((sum, f) => sum + f.non2xx, 0),
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
    const barePid = bare.pid!;
    const token = await tokenFor(api.url, 'bench@example.org', 'bench-password-123', true);
    const bareUrl = `http://127.0.0.1:${barePort}/`;
    const meUrl = `${api.url}/api/users/me`;
    const authorization = { authorization: `Bearer ${token}` };
    // A warm-up of each, so the JIT has compiled the hot paths before measuring.
    await autocannon({ url: bareUrl, connections: CONNECTIONS, duration: 2 });
    await autocannon({ url: meUrl, connections: CONNECTIONS, duration: 2, headers: authorization });

    const row = (name: string, f: Figures) =>
      `${name.padEnd(34)} ${f.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   CPU ${f.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs/req   errors ${f.errors + f.non2xx}`;
    console.log(
      `\nHTTP baseline: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s, servers ${hasTaskset ? 'pinned to one core' : 'not pinned (no taskset)'}`,
    );
    const bareRounds: Figures[] = [];
    const meRounds: Figures[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const bare = await load(bareUrl, barePid);
      const me = await load(meUrl, api.pid, authorization);
      bareRounds.push(bare);
      meRounds.push(me);
      ratios.push(me.requestsPerSecond / bare.requestsPerSecond);
      console.log(
        `  round ${round}: bare ${bare.requestsPerSecond.toFixed(0)} req/s (${bare.cpuMicrosPerRequest.toFixed(0)} µs CPU each), /api/users/me ${me.requestsPerSecond.toFixed(0)} req/s (${me.cpuMicrosPerRequest.toFixed(0)} µs), ratio ${ratios.at(-1)!.toFixed(2)}`,
      );
    }
    const me = summary(meRounds);
    console.log(row('bare node:http (ceiling), median', summary(bareRounds)));
    console.log(row('GET /api/users/me (JWT, full app)', me));
    console.log(
      `ratio app / ceiling: median ${median(ratios).toFixed(2)} (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; target >= 0.30, issue 10)`,
    );
    // What the ratio would be with each server alone on its core: bare CPU per request over the app's.
    console.log(
      `CPU-time ratio (bare / app per request, medians): ${(summary(bareRounds).cpuMicrosPerRequest / me.cpuMicrosPerRequest).toFixed(2)}\n`,
    );
    if (me.errors + me.non2xx > 0) process.exitCode = 1;
  } finally {
    await api.stop();
    bare.kill('SIGTERM');
  }
}

void main();
