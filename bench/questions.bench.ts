/**
 * Question-generation benchmark for the local generator.
 *
 * Reads the demo course (src/content/demo/course, en/*.md and fr/*.md, grouped into modules by its
 * manifest when there is one), falling back to the OpenStax textbook in ../shared/data when the
 * demo course is absent. Splits documents into paragraph passages, generates questions per module
 * and per document (every type, several counts and difficulties), then checks each question
 * against the passages it cites:
 *
 * - mcq / short_answer: the answer term appears in the cited passage (and, stricter, the sentence
 *   with the blank filled by the answer does);
 * - true_false: a true statement appears in the passage; a false one does not, and the passage has
 *   the same sentence with one term in its place (the original the statement was made from).
 *
 * Prints the share of supported questions and of duplicates. Targets: ≥ 95 % supported, 0 duplicates.
 * Run from the repository root: node <build>/bench/questions.bench.js [--openstax]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { foldText, splitSentences } from '../src/common/text';
import {
  Difficulty,
  GeneratedQuestion,
  generateQuestions,
  QuestionType,
  SourcePassage,
} from '../src/evaluation/local/local-question-generator';

interface CourseDocument {
  id: string;
  moduleId: string;
  title: string;
  language: 'fr' | 'en';
  text: string;
}

function normalize(text: string): string {
  return foldText(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function loadDemoCourse(): CourseDocument[] {
  const root = join(process.cwd(), 'src/content/demo/course');
  if (!existsSync(root)) return [];
  const manifestPath = join(root, 'manifest.json');
  const docs: CourseDocument[] = [];
  const listed = new Set<string>();
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      modules: { key: string; language: 'fr' | 'en'; documents: { file: string; title: string }[] }[];
    };
    for (const module of manifest.modules) {
      for (const doc of module.documents) {
        const path = join(root, doc.file);
        if (!existsSync(path)) continue;
        listed.add(doc.file);
        docs.push({ id: doc.file, moduleId: module.key, title: doc.title, language: module.language, text: readFileSync(path, 'utf8') });
      }
    }
  }
  for (const language of ['en', 'fr'] as const) {
    const dir = join(root, language);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort()) {
      const id = `${language}/${file}`;
      if (listed.has(id)) continue;
      const text = readFileSync(join(dir, file), 'utf8');
      const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? file;
      docs.push({ id, moduleId: `demo-${language}`, title, language, text });
    }
  }
  return docs;
}

function loadOpenStax(): CourseDocument[] {
  const path = resolve(process.cwd(), '../shared/data/openstax_intro_python.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { doc_id: string; chapter: string; title: string; text: string })
    .map((d) => ({ id: d.doc_id, moduleId: d.chapter, title: d.title, language: 'en' as const, text: d.text }));
}

/** Paragraph passages: blank-line blocks, code fences kept whole, headings and short blocks joined to the next. */
function passagesOf(doc: CourseDocument): SourcePassage[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let inFence = false;
  for (const line of doc.text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && line.trim() === '') {
      if (current.length) blocks.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  if (current.length) blocks.push(current.join('\n'));
  const merged: string[] = [];
  let pending = '';
  for (const block of blocks) {
    const text = pending ? `${pending}\n\n${block}` : block;
    const isHeading = /^#{1,6}\s/.test(block.trim()) && block.trim().split('\n').length === 1;
    if (isHeading || text.split(/\s+/).length < 25) pending = text;
    else {
      merged.push(text);
      pending = '';
    }
  }
  if (pending) merged.push(pending);
  return merged.map((text, i) => ({ chunkId: `${doc.id}#${i}`, resourceId: doc.id, moduleId: doc.moduleId, title: doc.title, text }));
}

function quotedStatement(question: string): string | null {
  const match = /“([\s\S]+)”\s*$/.exec(question) ?? /«\s*([\s\S]+?)\s*»\s*$/.exec(question);
  return match ? match[1] : null;
}

/** Whether `sentence` is `statement` with one short stretch of words replaced. */
function differsByOneTerm(sentence: string, statement: string): boolean {
  const a = normalize(sentence).split(' ');
  const b = normalize(statement).split(' ');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const aMiddle = a.length - prefix - suffix;
  const bMiddle = b.length - prefix - suffix;
  return aMiddle > 0 && bMiddle > 0 && aMiddle <= 5 && bMiddle <= 5;
}

interface Check {
  supported: boolean;
  strict: boolean;
  wellFormed: boolean;
}

function checkQuestion(q: GeneratedQuestion, byId: Map<string, SourcePassage>): Check {
  const cited = q.sourceChunkIds.map((id) => byId.get(id)).filter((p): p is SourcePassage => Boolean(p));
  if (cited.length === 0 || cited.length !== q.sourceChunkIds.length) return { supported: false, strict: false, wellFormed: false };
  const texts = cited.map((p) => normalize(p.text));
  const statement = quotedStatement(q.question);
  if (q.type === 'true_false') {
    const wellFormed = q.answer === 'true' || q.answer === 'false';
    if (!statement) return { supported: false, strict: false, wellFormed };
    const s = normalize(statement);
    if (q.answer === 'true') {
      const ok = texts.some((t) => t.includes(s));
      return { supported: ok, strict: ok, wellFormed };
    }
    // Sentences of the cited text, line by line so a heading never runs into the sentence below it.
    const sentences = cited.flatMap((p) =>
      p.text
        .replace(/[*`]/g, '')
        .split('\n')
        .flatMap((line) => splitSentences(line.replace(/^\s*(?:#{1,6}|[-+•]|\d+[.)])\s+/, ''))),
    );
    const ok = !texts.some((t) => t.includes(s)) && sentences.some((sentence) => differsByOneTerm(sentence, statement));
    return { supported: ok, strict: ok, wellFormed };
  }
  const answer = normalize(q.answer);
  const supported = answer.length > 0 && texts.some((t) => ` ${t} `.includes(` ${answer} `));
  const filled = statement ? normalize(statement.replace('_____', q.answer)) : '';
  const strict = supported && filled.length > 0 && texts.some((t) => t.includes(filled));
  let wellFormed = true;
  if (q.type === 'mcq') {
    const choices = q.choices ?? [];
    wellFormed = choices.length === 4 && new Set(choices.map(normalize)).size === 4 && choices.includes(q.answer);
  }
  return { supported, strict, wellFormed };
}

function main(): void {
  // --openstax measures on the public textbook even when the demo course is there.
  let docs = process.argv.includes('--openstax') ? [] : loadDemoCourse();
  let source = 'demo course (src/content/demo/course)';
  if (docs.length === 0) {
    docs = loadOpenStax();
    source = 'OpenStax Introduction to Python Programming (../shared/data)';
  }
  if (docs.length === 0) {
    console.log(
      'No course to generate questions from: src/content/demo/course is missing or empty and ../shared/data/openstax_intro_python.jsonl is absent.',
    );
    process.exit(0);
  }
  const passages = docs.flatMap(passagesOf);
  const byId = new Map(passages.map((p) => [p.chunkId, p]));
  const modules = [...new Set(docs.map((d) => d.moduleId))];
  console.log(`Source: ${source}: ${docs.length} documents, ${modules.length} modules, ${passages.length} passages`);

  const allTypes: QuestionType[] = ['mcq', 'short_answer', 'true_false'];
  const runs: {
    scope: string;
    passages: SourcePassage[];
    language: 'fr' | 'en';
    count: number;
    types: QuestionType[];
    difficulty: Difficulty;
  }[] = [];
  for (const moduleId of modules) {
    const modulePassages = passages.filter((p) => p.moduleId === moduleId);
    const language = docs.find((d) => d.moduleId === moduleId)!.language;
    for (const difficulty of ['easy', 'medium', 'hard'] as Difficulty[]) {
      for (const count of [5, 10, 20])
        runs.push({ scope: `module ${moduleId}`, passages: modulePassages, language, count, types: allTypes, difficulty });
    }
    for (const type of allTypes)
      runs.push({ scope: `module ${moduleId}`, passages: modulePassages, language, count: 10, types: [type], difficulty: 'medium' });
    // The other language's wording over the same material.
    runs.push({
      scope: `module ${moduleId}`,
      passages: modulePassages,
      language: language === 'fr' ? 'en' : 'fr',
      count: 8,
      types: allTypes,
      difficulty: 'medium',
    });
  }
  for (const doc of docs) {
    const docPassages = passages.filter((p) => p.resourceId === doc.id);
    runs.push({
      scope: `document ${doc.id}`,
      passages: docPassages,
      language: doc.language,
      count: 5,
      types: allTypes,
      difficulty: 'medium',
    });
  }

  const perType = new Map<QuestionType, { n: number; supported: number; strict: number; wellFormed: number }>();
  let total = 0;
  let supported = 0;
  let duplicates = 0;
  let exactRuns = 0;
  let shortRuns = 0;
  let shortWithWarning = 0;
  let deterministic = 0;
  const failures: string[] = [];
  const started = Date.now();
  for (const run of runs) {
    const input = { passages: run.passages, count: run.count, types: run.types, difficulty: run.difficulty, language: run.language };
    const result = generateQuestions(input);
    if (JSON.stringify(generateQuestions(input)) === JSON.stringify(result)) deterministic++;
    if (result.questions.length === run.count) exactRuns++;
    else {
      shortRuns++;
      if (result.warnings.length > 0) shortWithWarning++;
    }
    const seen = new Set<string>();
    for (const q of result.questions) {
      const key = normalize(q.question);
      if (seen.has(key)) duplicates++;
      seen.add(key);
      const check = checkQuestion(q, byId);
      const entry = perType.get(q.type) ?? { n: 0, supported: 0, strict: 0, wellFormed: 0 };
      entry.n++;
      if (check.supported) entry.supported++;
      if (check.strict) entry.strict++;
      if (check.wellFormed) entry.wellFormed++;
      perType.set(q.type, entry);
      total++;
      if (check.supported) supported++;
      else if (failures.length < 8) failures.push(`${q.type} [${q.answer}] ${q.question.slice(0, 140)}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const pct = (a: number, b: number) => `${((100 * a) / (b || 1)).toFixed(1)}%`;
  console.log(
    `${runs.length} generation runs, ${total} questions in ${seconds.toFixed(1)} s (each run generated twice to check determinism)`,
  );
  console.log(`  supported by the cited passage: ${pct(supported, total)} (target ≥ 95%)`);
  for (const [type, e] of perType) {
    console.log(
      `    ${type.padEnd(13)} n=${String(e.n).padStart(4)}  supported ${pct(e.supported, e.n).padStart(6)}  strict ${pct(e.strict, e.n).padStart(6)}  well-formed ${pct(e.wellFormed, e.n)}`,
    );
  }
  console.log(`  duplicates within a run: ${duplicates} (${pct(duplicates, total)}; target 0)`);
  console.log(
    `  runs with exactly the requested count: ${exactRuns}/${runs.length}; short runs carrying a warning: ${shortWithWarning}/${shortRuns}`,
  );
  console.log(`  deterministic runs: ${deterministic}/${runs.length}`);
  if (failures.length) {
    console.log('  unsupported examples:');
    for (const f of failures) console.log(`    ${f}`);
  }
}

main();
