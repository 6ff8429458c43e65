/**
 * bench:search — latency of top-5 queries on the local retrieval engine at 10,000 and 100,000
 * chunks, with build time, resident memory, save/load time, the vector graph's recall, and
 * start-up: a fresh process that loads the saved index and answers a search, timed from its start.
 *
 *   node dist/bench/search.bench.js [sizes...]      (default: 10000 100000)
 *
 * Chunk texts come from the OpenStax "Introduction to Python Programming" file in
 * ../shared/data (override with BENCH_DATA_DIR): its chapters are cut into groups of three
 * sentences, then copied with perturbations (dropped and borrowed words) up to the size wanted.
 * Without that file the text is generated from a vocabulary, and the output says so.
 * Each size runs in its own child process so that resident memory is that size's alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { splitSentences } from '../src/common/text';
import { LocalHashingEmbedding, RetrievalEngine, type EngineChunk, type RetrievalMode } from '../src/index/engine';
import { seededRandom } from '../test/support/seeded-random';

const TARGET_MEDIAN_MS = 5;
const TARGET_RECALL = 0.98;
const STARTUP_TARGET_SECONDS = 2;
const MODULES = 20;
const QUERIES = [
  'How do I define a function in Python?',
  'What is the difference between a list and a tuple?',
  'How does a while loop stop?',
  'What does the modulo operator return?',
  'How can I read a text file line by line?',
  'What is an f-string and how do I format numbers with it?',
  'How do I add a key to a dictionary?',
  'What is recursion and why does it need a base case?',
  'How do I handle an exception with try and except?',
  'What is the difference between a class and an object?',
  'How does inheritance work between classes?',
  'What does the range function produce?',
  'How do I convert a string to an integer?',
  'What is a boolean expression?',
  'How do nested loops work?',
  'What is the scope of a local variable?',
  'How do I import a module?',
  'What does the len function do?',
  'How can I slice a string?',
  'What is a list comprehension?',
  'How are strings immutable?',
  'What is the difference between = and ==?',
  'How do I write a for loop over a list?',
  'What does break do inside a loop?',
  'How do I return several values from a function?',
  'What is a default parameter value?',
  'How do I sort a list of numbers?',
  'What is floating-point rounding error?',
  'How do I use the math module to compute a square root?',
  'What is an algorithm?',
  'How do I print output without a newline?',
  'What is the input function used for?',
  'How do I check whether a key is in a dictionary?',
  'What is a docstring?',
  'How does operator precedence work in expressions?',
  'What is integer division?',
  'How do I remove an item from a list?',
  'What are keyword arguments?',
  'How do I write to a file?',
  'What is the purpose of the __init__ method?',
  'What are comments used for in Python code?',
  'How do I compare two strings?',
  'What is a syntax error versus a runtime error?',
  'How do I iterate over the keys and values of a dictionary?',
  'What is a set and when is it useful?',
  'How do I raise my own exception?',
  'What does the else branch of an if statement do?',
  'How do I count the occurrences of an item in a list?',
  'What is a variable and how is it named?',
  'How does the elif keyword work?',
  'How do I find the largest number in a list?',
  'What is polymorphism in object-oriented programming?',
  'How do I join a list of strings into one string?',
  'What are the basic data types in Python?',
  'How do I create a 2D list or table?',
  'What is the difference between append and extend?',
  'How can I test my code with examples?',
  'What does the pass statement do?',
  'How do I round a number to two decimal places?',
  'What is an infinite loop and how do I avoid it?',
];

interface BenchResult {
  size: number;
  source: string;
  buildSeconds: number;
  rssMb: number;
  baselineRssMb: number;
  heapMb: number;
  vectorMb: number;
  saveSeconds: number;
  loadSeconds: number;
  startup: StartupFigures;
  diskMb: number;
  recallAt5: number;
  latency: Record<string, Latency>;
}

/** A fresh process that loads the saved index and answers one search, as an instance starting. */
interface StartupFigures {
  /** From the process's start (Node's own boot included) to the first search answered. */
  firstSearchSeconds: number;
  loadSeconds: number;
  rssMb: number;
  heapMb: number;
}

function baseChunks(): { texts: string[]; source: string } {
  const dataDir = process.env.BENCH_DATA_DIR ?? resolve(process.cwd(), '../shared/data');
  const file = join(dataDir, 'openstax_intro_python.jsonl');
  if (existsSync(file)) {
    const texts: string[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const { text } = JSON.parse(line) as { text: string };
      const sentences = splitSentences(text.replace(/^#+ /gm, ''));
      for (let i = 0; i < sentences.length; i += 3) {
        const chunk = sentences.slice(i, i + 3).join(' ');
        if (chunk.length >= 40) texts.push(chunk);
      }
    }
    return { texts, source: `${file} (${texts.length} base chunks, perturbed copies)` };
  }
  const random = seededRandom(3);
  const vocabulary = (
    'python program function variable loop list tuple dictionary string integer float boolean class object method ' +
    'module import file read write exception error try except return value parameter argument recursion base case ' +
    'index slice range iterate condition branch operator expression statement syntax print input output algorithm ' +
    'sort search compare append remove insert key set comprehension scope global local inheritance instance attribute'
  ).split(' ');
  const texts = Array.from({ length: 2000 }, () =>
    Array.from({ length: 40 }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' '),
  );
  console.warn(`! ${file} not found: using synthetic text from a ${vocabulary.length}-word vocabulary`);
  return { texts, source: 'synthetic vocabulary text' };
}

/** Copies base chunks with small changes (dropped words, a few borrowed from another chunk). */
function makeChunks(size: number): { chunks: EngineChunk[]; source: string } {
  const { texts, source } = baseChunks();
  const random = seededRandom(11);
  const chunks: EngineChunk[] = [];
  for (let i = 0; i < size; i++) {
    const baseIndex = i % texts.length;
    const copy = Math.floor(i / texts.length);
    let text = texts[baseIndex];
    if (copy > 0) {
      const words = text.split(' ');
      const donor = texts[Math.floor(random() * texts.length)].split(' ');
      const kept = words.filter(() => random() > 0.12);
      for (let j = 0; j < 3; j++) {
        kept.splice(Math.floor(random() * kept.length), 0, donor[Math.floor(random() * donor.length)]);
      }
      text = kept.join(' ');
    }
    chunks.push({
      id: `chunk-${i}`,
      resourceId: `resource-${baseIndex % 97}-${copy}`,
      moduleId: `module-${baseIndex % MODULES}`,
      text,
    });
  }
  return { chunks, source };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * Wall-clock latency, and the CPU time the process spent per query: on a shared machine the
 * first grows with other programs' load, the second much less.
 */
async function timeQueries(engine: RetrievalEngine, mode: RetrievalMode, moduleId?: string): Promise<Latency> {
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (const query of QUERIES) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const hits = await engine.search(query, { k: 5, mode, moduleId });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      const used = process.cpuUsage(cpu);
      cpuSamples.push((used.user + used.system) / 1000);
      if (hits.length === 0 && mode !== 'keyword') throw new Error(`no result for "${query}"`);
    }
  }
  samples.sort((a, b) => a - b);
  cpuSamples.sort((a, b) => a - b);
  return { median: percentile(samples, 0.5), p99: percentile(samples, 0.99), cpuMedian: percentile(cpuSamples, 0.5) };
}

interface Latency {
  median: number;
  p99: number;
  cpuMedian: number;
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directorySize(path) : (await stat(path)).size;
  }
  return total;
}

async function runOne(size: number): Promise<BenchResult> {
  (globalThis as { gc?: () => void }).gc?.();
  // Loading LlamaIndex's core (tokenizer tables included) already costs about 100 MB: measured
  // apart so that the index's own share shows.
  const baselineRssMb = process.memoryUsage().rss / 1e6;
  const { chunks, source } = makeChunks(size);
  const embedding = new LocalHashingEmbedding();
  const engine = await RetrievalEngine.create(embedding);
  const buildStart = process.hrtime.bigint();
  await engine.addChunks(chunks, {
    onProgress: (done, total) => {
      if (done % 20000 < 128 && done >= 20000) process.stderr.write(`  ${done}/${total}\n`);
    },
  });
  // The last vectors are linked into the graph in the background: the build ends when they are.
  await engine.vectorStore.whenLinked();
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
  chunks.length = 0;
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();

  for (const query of QUERIES.slice(0, 10)) await engine.search(query, { k: 5 });
  const latency: BenchResult['latency'] = {
    hybrid: await timeQueries(engine, 'hybrid'),
    vector: await timeQueries(engine, 'vector'),
    keyword: await timeQueries(engine, 'keyword'),
    'hybrid, one module': await timeQueries(engine, 'hybrid', 'module-3'),
  };

  // Share of the graph's top 5 that are truly among the top 5: a hit counts when its similarity
  // reaches the 5th best of an exhaustive scan of the same int8 vectors (ties count as found).
  const graph = engine.vectorStore.client();
  let found = 0;
  for (const query of QUERIES) {
    const vector = embedding.embed(query);
    const exact = graph.bruteForce(vector, 5).similarities;
    const approx = graph.search(vector, 5).similarities;
    for (const similarity of approx) if (similarity >= exact[exact.length - 1] - 1e-9) found++;
  }

  const dir = await mkdtemp(join(tmpdir(), 'search-bench-'));
  try {
    let start = process.hrtime.bigint();
    await engine.save(dir);
    const saveSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const diskMb = (await directorySize(dir)) / 1e6;
    start = process.hrtime.bigint();
    await RetrievalEngine.load(dir, embedding);
    const loadSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const startup = measureStartup(dir);
    return {
      size,
      source,
      buildSeconds,
      rssMb: memory.rss / 1e6,
      baselineRssMb,
      heapMb: memory.heapUsed / 1e6,
      vectorMb: engine.stats().vectorBytes / 1e6,
      saveSeconds,
      loadSeconds,
      startup,
      diskMb,
      recallAt5: found / (QUERIES.length * 5),
      latency,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(result: BenchResult): void {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  console.log(`\n${result.size.toLocaleString('en')} chunks — ${result.source}`);
  console.log(
    `  build ${f(result.buildSeconds)} s (embed + BM25 + HNSW); RSS after build ${f(result.rssMb, 0)} MB, ` +
      `${f(result.rssMb - result.baselineRssMb, 0)} MB above the ${f(result.baselineRssMb, 0)} MB before indexing ` +
      `(JS heap ${f(result.heapMb, 0)} MB; vectors + graph ${f(result.vectorMb, 0)} MB)`,
  );
  console.log(`  save ${f(result.saveSeconds, 2)} s, ${f(result.diskMb)} MB on disk; load ${f(result.loadSeconds, 2)} s`);
  const { startup } = result;
  console.log(
    `  start-up in a fresh process: first search answered ${f(startup.firstSearchSeconds, 2)} s after the process started ` +
      `(index load ${f(startup.loadSeconds, 2)} s); RSS ${f(startup.rssMb, 0)} MB, JS heap ${f(startup.heapMb, 0)} MB — ` +
      (startup.firstSearchSeconds <= STARTUP_TARGET_SECONDS ? 'met' : 'NOT met') +
      ` (target <= ${STARTUP_TARGET_SECONDS} s at 100,000 chunks)`,
  );
  console.log(
    `  HNSW recall@5 against an exhaustive scan (vector mode): ${f(result.recallAt5 * 100)}% — ` +
      `${result.recallAt5 >= TARGET_RECALL ? 'met' : 'NOT met'} (target >= ${TARGET_RECALL * 100}% at 100,000 chunks)`,
  );
  console.log(`  top-5 latency over ${QUERIES.length * 2} queries:`);
  for (const [mode, { median, p99, cpuMedian }] of Object.entries(result.latency)) {
    console.log(
      `    ${mode.padEnd(20)} median ${f(median, 2).padStart(6)} ms   p99 ${f(p99, 2).padStart(6)} ms   CPU median ${f(cpuMedian, 2).padStart(6)} ms`,
    );
  }
  const { median: hybrid, cpuMedian: hybridCpu } = result.latency.hybrid;
  console.log(
    `  target: hybrid median <= ${TARGET_MEDIAN_MS} ms at 100,000 chunks — ` +
      (hybrid <= TARGET_MEDIAN_MS ? `met (${f(hybrid, 2)} ms)` : `NOT met (${f(hybrid, 2)} ms)`) +
      `; CPU time per query ${f(hybridCpu, 2)} ms (load average ${f(loadavg()[0], 1)} on ${availableParallelism()} cores)`,
  );
}

function measureStartup(dir: string): StartupFigures {
  const child = spawnSync(process.execPath, [__filename], {
    env: { ...process.env, SEARCH_BENCH_STARTUP: dir, SEARCH_BENCH_CHILD: '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('STARTUP '));
  if (child.status !== 0 || !line) throw new Error(`start-up measurement failed (exit ${child.status})`);
  return JSON.parse(line.slice('STARTUP '.length)) as StartupFigures;
}

/** The child of measureStartup: loads the index and answers one hybrid search. */
async function startupChild(dir: string): Promise<void> {
  const start = process.hrtime.bigint();
  const engine = await RetrievalEngine.load(dir, new LocalHashingEmbedding());
  const loadSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const hits = await engine.search(QUERIES[0], { k: 5 });
  if (hits.length === 0) throw new Error('the loaded index found nothing');
  const figures: StartupFigures = {
    firstSearchSeconds: performance.now() / 1000,
    loadSeconds,
    rssMb: process.memoryUsage().rss / 1e6,
    heapMb: process.memoryUsage().heapUsed / 1e6,
  };
  process.stdout.write(`STARTUP ${JSON.stringify(figures)}\n`);
}

async function main(): Promise<void> {
  if (process.env.SEARCH_BENCH_STARTUP) return startupChild(process.env.SEARCH_BENCH_STARTUP);
  const childSize = process.env.SEARCH_BENCH_CHILD;
  if (childSize) {
    const result = await runOne(Number(childSize));
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  console.log(`bench:search — Node ${process.version}, ${QUERIES.length} queries × 2 rounds per mode, k = 5`);
  for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const child = spawnSync(process.execPath, ['--expose-gc', __filename], {
      env: { ...process.env, SEARCH_BENCH_CHILD: String(size) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || !line) {
      console.error(`size ${size} failed (exit ${child.status})\n${child.stdout}`);
      process.exitCode = 1;
      continue;
    }
    report(JSON.parse(line.slice('RESULT '.length)) as BenchResult);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
