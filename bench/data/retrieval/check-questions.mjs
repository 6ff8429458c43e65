// Checks the retrieval benchmark set: the demo course manifest, the documents and questions.json.
// The benchmark judges a chunk relevant when its text contains a question's answer_text, so an
// answer_text that is missing from its document, or that also occurs elsewhere, would silently
// make the figures wrong. Run from anywhere: node bench/data/retrieval/check-questions.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const courseDir = join(repoRoot, 'src', 'content', 'demo', 'course');
const extraDir = join(here, 'documents');

const LANGUAGES = new Set(['en', 'fr']);
const STYLES = new Set(['direct', 'paraphrase', 'typo', 'follow-up']);
// Characters a Markdown-aware chunker may drop; an answer_text holding them might never match.
const MARKDOWN_SYNTAX = /[`*_#[\]]/;

const failures = [];
const fail = (message) => failures.push(message);

const normalise = (text) => text.replace(/\s+/g, ' ').trim();

function countOccurrences(haystack, needle) {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    count += 1;
  }
  return count;
}

function withoutCodeBlocks(markdown) {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, ' ');
}

function countWords(text) {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`${relative(repoRoot, path)} is not valid JSON: ${error.message}`);
    return undefined;
  }
}

function loadDocument(path, wordRange) {
  const markdown = readFileSync(path, 'utf8');
  const rel = relative(repoRoot, path);
  const firstLine = markdown.split('\n', 1)[0];
  if (!firstLine.startsWith('# ')) fail(`${rel}: the first line is not a "# Title" heading`);
  if (!/^## /m.test(markdown)) fail(`${rel}: no "##" section`);
  const words = countWords(markdown);
  if (words < wordRange[0] || words > wordRange[1]) {
    fail(`${rel}: ${words} words, expected ${wordRange[0]}–${wordRange[1]}`);
  }
  return {
    rel,
    words,
    text: normalise(markdown),
    folded: normalise(markdown).toLowerCase(),
    prose: normalise(withoutCodeBlocks(markdown)),
  };
}

const documents = new Map();

const manifest = readJson(join(courseDir, 'manifest.json'));
const moduleKeys = new Set();
for (const module of manifest?.modules ?? []) {
  if (!module.key || moduleKeys.has(module.key)) fail(`manifest: missing or repeated key "${module.key}"`);
  moduleKeys.add(module.key);
  if (!module.title || !module.description) fail(`manifest: module ${module.key} lacks a title or description`);
  if (!LANGUAGES.has(module.language)) fail(`manifest: module ${module.key} has language "${module.language}"`);
  for (const entry of module.documents ?? []) {
    const path = join(courseDir, entry.file);
    if (!entry.title) fail(`manifest: ${entry.file} has no title`);
    if (!existsSync(path)) {
      fail(`manifest: ${entry.file} does not exist`);
      continue;
    }
    const document = loadDocument(path, [700, 1200]);
    documents.set(document.rel, { ...document, language: module.language });
  }
}

for (const name of readdirSync(extraDir)
  .filter((file) => file.endsWith('.md'))
  .sort()) {
  const document = loadDocument(join(extraDir, name), [500, 900]);
  documents.set(document.rel, { ...document, language: undefined });
}

const questions = readJson(join(here, 'questions.json'));
if (!Array.isArray(questions)) fail('questions.json must hold an array of questions');

const ids = new Set();
const perDocument = new Map([...documents.keys()].map((rel) => [rel, 0]));
const perLanguage = { en: 0, fr: 0 };
const perStyle = {};
const languageOfDocument = new Map();

for (const q of Array.isArray(questions) ? questions : []) {
  const label = q.id ?? JSON.stringify(q).slice(0, 60);
  if (!/^q\d{3,}$/.test(q.id ?? '') || ids.has(q.id)) fail(`${label}: id missing, malformed or repeated`);
  ids.add(q.id);
  if (typeof q.question !== 'string' || q.question.trim().length < 3) fail(`${label}: empty question`);
  if (!LANGUAGES.has(q.language)) fail(`${label}: language "${q.language}"`);
  else perLanguage[q.language] += 1;
  if (q.style !== undefined && !STYLES.has(q.style)) fail(`${label}: unknown style "${q.style}"`);
  perStyle[q.style ?? 'unset'] = (perStyle[q.style ?? 'unset'] ?? 0) + 1;

  const document = documents.get(q.document);
  if (!document) {
    fail(`${label}: unknown document ${q.document}`);
    continue;
  }
  perDocument.set(q.document, perDocument.get(q.document) + 1);
  if (document.language && document.language !== q.language) {
    fail(`${label}: ${q.language} question on a ${document.language} document`);
  }
  if (!document.language) {
    // Extra documents declare no language: all their questions must at least agree with each other.
    const seen = languageOfDocument.get(q.document);
    if (seen && seen !== q.language) fail(`${label}: questions on ${q.document} mix languages`);
    languageOfDocument.set(q.document, q.language);
  }

  const answer = typeof q.answer_text === 'string' ? normalise(q.answer_text) : '';
  if (answer !== q.answer_text) fail(`${label}: answer_text has stray whitespace`);
  if (answer.length < 10 || answer.length > 120) fail(`${label}: answer_text is ${answer.length} characters`);
  if (MARKDOWN_SYNTAX.test(answer)) fail(`${label}: answer_text holds Markdown syntax: "${answer}"`);

  const inOwn = countOccurrences(document.text, answer);
  if (inOwn === 0) fail(`${label}: answer_text not found in ${q.document}: "${answer}"`);
  else if (inOwn > 1) fail(`${label}: answer_text occurs ${inOwn} times in ${q.document}: "${answer}"`);
  else if (countOccurrences(document.prose, answer) === 0) {
    fail(`${label}: answer_text only occurs inside a code block: "${answer}"`);
  }
  // Case-insensitive, so the set stays sound for a benchmark that lowercases before matching.
  for (const [rel, other] of documents) {
    if (rel !== q.document && other.folded.includes(answer.toLowerCase())) {
      fail(`${label}: answer_text also occurs in ${rel}: "${answer}"`);
    }
  }
}

for (const [rel, count] of perDocument) {
  if (count === 0) fail(`${rel}: no question points at this document`);
}

const total = Array.isArray(questions) ? questions.length : 0;
console.log(`documents: ${documents.size}`);
for (const [rel, document] of documents) {
  console.log(`  ${rel}: ${document.words} words, ${perDocument.get(rel)} questions`);
}
const share = (n) => (total ? `${Math.round((100 * n) / total)}%` : '-');
console.log(`questions: ${total} (en ${perLanguage.en} = ${share(perLanguage.en)}, fr ${perLanguage.fr} = ${share(perLanguage.fr)})`);
console.log(
  `styles: ${Object.entries(perStyle)
    .map(([style, n]) => `${style} ${n}`)
    .join(', ')}`,
);

if (failures.length > 0) {
  console.error(`\n${failures.length} problem(s):`);
  for (const message of failures) console.error(`- ${message}`);
  process.exitCode = 1;
} else {
  console.log('all checks passed');
}
