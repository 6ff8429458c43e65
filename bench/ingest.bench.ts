/**
 * bench:ingest — uploads through HTTP on the built app (production mode, embedded store, local
 * embeddings), each answered 201 with the resource `indexed` (or followed until it is):
 *
 *   1. 600-character texts, one at a time and four in flight (documents a second);
 *   2. a 40-page PDF (generated with pdf-lib), seconds per upload;
 *   3. a large Markdown document (the OpenStax Python book, several times over), chunks a second
 *      from the request to `indexed`.
 *
 *   node dist/bench/ingest.bench.js        (BENCH_INGEST_DOCS: uploads per run, default 300)
 *
 * With BENCH_INGEST_LARGE_INDEX set to a DATA_DIR prepared by bench:startup (BENCH_STARTUP_DIR, 100,000
 * chunks and their saved index), the 600-character texts are also uploaded four in flight into an
 * instance serving that index (started on a copy of the directory, once it answers a search).
 *
 * The server is not pinned to one core: parsing runs in its worker threads, on every core.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { BENCH_ADMIN, api, cpuMicros, startApp, tokenFor, type BenchServer } from './support/bench-server';
import { OPENSTAX_PYTHON } from './support/corpus-paths';

const DOCS = Number(process.env.BENCH_INGEST_DOCS ?? 300);
const LARGE_INDEX_DIR = process.env.BENCH_INGEST_LARGE_INDEX;
const TARGETS = { oneAtATime: 30, fourInFlight: 100, largeChunksPerSecond: 1_000 };
const SHORT_TEXT_LENGTH = 600;
const PDF_PAGES = 40;
/** Copies of the book in the large document: about 1.1 MB of Markdown. */
const LARGE_COPIES = 4;

interface Resource {
  id: string;
  status: 'pending' | 'indexed' | 'failed';
  chunk_count: number;
}

/** The book's chapters, or generated prose where the public data is absent. */
function corpus(): { chapters: string[]; source: string } {
  if (existsSync(OPENSTAX_PYTHON)) {
    const chapters = readFileSync(OPENSTAX_PYTHON, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { text: string }).text);
    return { chapters, source: OPENSTAX_PYTHON };
  }
  const words = 'loop list value function class object string number file error module index key set call return'.split(' ');
  const chapters = Array.from({ length: 100 }, (_, c) =>
    Array.from({ length: 400 }, (_, i) => `${words[(i * 7 + c) % words.length]}${i % 12 === 11 ? '.\n\n' : ' '}`).join(''),
  );
  console.warn(`! ${OPENSTAX_PYTHON} not found: generated text`);
  return { chapters, source: 'generated text' };
}

/** Distinct 600-character passages cut from the corpus at word boundaries. */
function shortTexts(chapters: string[], count: number): string[] {
  const all = chapters.join('\n\n').replace(/\s+/g, ' ');
  const texts: string[] = [];
  for (let start = 0; texts.length < count; start = (start + 997) % (all.length - 2 * SHORT_TEXT_LENGTH)) {
    const from = all.indexOf(' ', start) + 1;
    texts.push(`${all.slice(from, from + SHORT_TEXT_LENGTH).trim()} (passage ${texts.length})`);
  }
  return texts;
}

async function buildPdf(chapters: string[], pages: number): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const words = chapters
    .join(' ')
    .replace(/[^\x20-\x7E]+/g, ' ')
    .split(/\s+/);
  let next = 0;
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([595, 842]);
    for (let y = 800; y > 60; y -= 14) {
      let line = '';
      while (line.length < 95) line += `${words[next++ % words.length]} `;
      page.drawText(line.trim(), { x: 40, y, size: 10, font });
    }
  }
  return Buffer.from(await pdf.save());
}

class Uploader {
  constructor(
    private readonly server: BenchServer,
    private readonly token: string,
    private readonly moduleId: string,
  ) {}

  async upload(bytes: Buffer, filename: string, type: string): Promise<Resource> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), filename);
    const response = await fetch(`${this.server.url}/api/admin/modules/${this.moduleId}/resources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}` },
      body: form,
    });
    const json = (await response.json()) as { ok: boolean; data: Resource; error?: unknown };
    if (response.status !== 201) throw new Error(`upload ${filename}: ${response.status} ${JSON.stringify(json.error)}`);
    return json.data;
  }

  /** Waits until the resource is indexed (large uploads answer `pending` and index on). */
  async indexed(resource: Resource): Promise<Resource> {
    let current = resource;
    while (current.status === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const page = await api<{ items: Resource[]; next_cursor: string | null }>(
        this.server.url,
        `/api/modules/${this.moduleId}/resources?limit=100`,
        { token: this.token },
      );
      current = page.items.find((item) => item.id === resource.id) ?? current;
      if (!page.items.some((item) => item.id === resource.id)) throw new Error('resource not listed');
    }
    if (current.status !== 'indexed') throw new Error(`resource ${current.id} ${current.status}`);
    return current;
  }
}

/** Uploads every text with `inFlight` requests at a time; documents a second, each one indexed. */
async function uploadTexts(uploader: Uploader, texts: string[], inFlight: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < texts.length) {
        const i = next++;
        await uploader.indexed(await uploader.upload(Buffer.from(texts[i]), `passage-${i}.txt`, 'text/plain'));
      }
    }),
  );
  return texts.length / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Short texts four in flight into an instance holding a large index (a copy of `prepared`): each
 * upload adds to a graph of 100,000 vectors, and the index's snapshots are that size.
 */
async function intoLargeIndex(prepared: string, texts: string[]): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-bench-ingest-large-'));
  cpSync(prepared, dataDir, { recursive: true });
  const server = await startApp(3912, { METRICS: 'off', DATA_DIR: dataDir }, false, 120_000);
  try {
    const token = await tokenFor(server.url, BENCH_ADMIN.email, BENCH_ADMIN.password);
    // The index is loaded once a search answers.
    await api(server.url, '/api/search?q=loop', { token });
    const module = await api<{ id: string }>(server.url, '/api/admin/modules', { token, body: { title: 'Into a large index' } });
    const cpu = cpuMicros(server.pid);
    const four = await uploadTexts(new Uploader(server, token, module.id), texts, 4);
    const cpuEach = (cpuMicros(server.pid) - cpu) / texts.length / 1000;
    console.log(
      `  600-character texts, four in flight, into a ${prepared} index: ${four.toFixed(1)} docs/s  ${cpuEach.toFixed(1)} ms server CPU each, peak RSS ${server.peakRssMb().toFixed(0)} MB`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { chapters, source } = corpus();
  const server = await startApp(3911, { METRICS: 'off' }, false);
  try {
    const token = await tokenFor(server.url, BENCH_ADMIN.email, BENCH_ADMIN.password);
    const newModule = async (title: string) =>
      new Uploader(server, token, (await api<{ id: string }>(server.url, '/api/admin/modules', { token, body: { title } })).id);
    console.log(`bench:ingest — Node ${process.version}, text from ${source}, ${DOCS} uploads per run, server not pinned`);

    const texts = shortTexts(chapters, DOCS * 2 + 20);
    const warm = await newModule('Warm-up');
    await uploadTexts(warm, texts.slice(DOCS * 2), 2);

    let cpu = cpuMicros(server.pid);
    const one = await uploadTexts(await newModule('One at a time'), texts.slice(0, DOCS), 1);
    const cpuOne = (cpuMicros(server.pid) - cpu) / DOCS / 1000;
    cpu = cpuMicros(server.pid);
    const four = await uploadTexts(await newModule('Four in flight'), texts.slice(DOCS, DOCS * 2), 4);
    const cpuFour = (cpuMicros(server.pid) - cpu) / DOCS / 1000;

    const pdfBytes = await buildPdf(chapters, PDF_PAGES);
    const pdfModule = await newModule('PDF');
    const pdfRuns: number[] = [];
    let pdfChunks = 0;
    for (let run = 0; run < 3; run++) {
      const { value, seconds } = await timed(async () =>
        pdfModule.indexed(await pdfModule.upload(pdfBytes, `book-${run}.pdf`, 'application/pdf')),
      );
      pdfRuns.push(seconds);
      pdfChunks = value.chunk_count;
    }
    pdfRuns.sort((a, b) => a - b);

    const large = Buffer.from(
      Array.from({ length: LARGE_COPIES }, (_, copy) => chapters.map((text) => `${text}\n\n(copy ${copy})`).join('\n\n')).join('\n\n'),
    );
    const largeModule = await newModule('Large document');
    const largeRun = await timed(async () => largeModule.indexed(await largeModule.upload(large, 'book.md', 'text/markdown')));
    const chunksPerSecond = largeRun.value.chunk_count / largeRun.seconds;

    const verdict = (value: number, target: number) => (value >= target ? `met (target >= ${target})` : `NOT met (target >= ${target})`);
    console.log(
      `  600-character texts, one at a time:  ${one.toFixed(1).padStart(7)} docs/s  ${cpuOne.toFixed(1)} ms server CPU each — ${verdict(one, TARGETS.oneAtATime)}`,
    );
    console.log(
      `  600-character texts, four in flight: ${four.toFixed(1).padStart(7)} docs/s  ${cpuFour.toFixed(1)} ms server CPU each — ${verdict(four, TARGETS.fourInFlight)}`,
    );
    console.log(
      `  ${PDF_PAGES}-page PDF (${(pdfBytes.length / 1024).toFixed(0)} KB, ${pdfChunks} chunks): median ${pdfRuns[1].toFixed(2)} s to indexed`,
    );
    console.log(
      `  large Markdown document (${(large.length / 1e6).toFixed(2)} MB, ${largeRun.value.chunk_count} chunks): ${largeRun.seconds.toFixed(2)} s to indexed, ` +
        `${chunksPerSecond.toFixed(0)} chunks/s — ${verdict(chunksPerSecond, TARGETS.largeChunksPerSecond)}`,
    );
    console.log(`  server peak RSS ${server.peakRssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
  }
  if (LARGE_INDEX_DIR) await intoLargeIndex(LARGE_INDEX_DIR, shortTexts(chapters, DOCS));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
