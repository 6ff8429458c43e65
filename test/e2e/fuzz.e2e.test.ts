import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type request from 'supertest';
import { ERROR_STATUS } from '../../src/common/errors/api-error';
import { streamText } from '../support/event-stream';
import { Account, bearer, createCourseModule, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * Seeded random requests against every route of the OpenAPI document, with a valid admin or
 * student token most of the time: random and mistyped bodies, query strings, path ids and headers
 * (sizes, unicode, nesting, property-name and `$` keys, huge numbers, arrays where objects are
 * expected). No answer may be a 5xx, and every one must be in the envelope of API.md.
 *
 * FUZZ_SEED replays a run, FUZZ_CASE one case of it; FUZZ_CASES (default 400) and FUZZ_SECONDS
 * (default 40) bound it, whichever comes first.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.FUZZ_CASES ?? 400);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);
const ONLY = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);

/** mulberry32: small, fast and good enough to pick test inputs. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
}

const WORDS = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'then',
  'length',
  'photosynthesis',
  'la',
  'if',
];
const KEYS = ['__proto__', 'constructor', 'prototype', '$gt', '$where', '$ne', 'toString', 'valueOf', 'a.b', '', ' ', 'é', '0', 'length'];
const STRINGS = [
  '',
  ' ',
  'a',
  'null',
  'true',
  '0',
  '-1',
  '1e400',
  'aaaaaaaaaaaaaaaaaaaaaaaa',
  '6b0f35dfda82eeeb2f5e7a30',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  'e\u0301\u0301\u0301',
  '😀👩‍👩‍👧‍👦',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '{"$gt": ""}',
  'Bearer x',
  'admin@test.example',
  'mcq',
  'fr',
  'en',
  'markdown',
  'student',
  'admin',
  '2026-12-01T00:00:00Z',
  'not-a-date',
];
const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '0.5',
  '3.14',
  '1e400',
  '-1e400',
  '9007199254740993',
  '123456789012345678901234567890',
  '1e-400',
  '20',
  '100',
  '101',
];

/** Random JSON text, including what JSON.stringify cannot write (huge numbers, deep nesting). */
function jsonText(g: Gen, depth = 0): string {
  const roll = g.random();
  if (depth > 3 && roll < 0.6) return scalarText(g);
  if (roll < 0.45) return scalarText(g);
  if (roll < 0.6) {
    const n = g.int(0, 4);
    return `[${Array.from({ length: n }, () => jsonText(g, depth + 1)).join(',')}]`;
  }
  if (roll < 0.9) {
    const n = g.int(0, 4);
    return `{${Array.from({ length: n }, () => `${JSON.stringify(g.chance(0.5) ? g.pick(KEYS) : g.pick(WORDS))}:${jsonText(g, depth + 1)}`).join(',')}}`;
  }
  const levels = g.pick([20, 33, 40, 500, 5_000]);
  return g.chance(0.5) ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

function scalarText(g: Gen): string {
  const roll = g.random();
  if (roll < 0.1) return 'null';
  if (roll < 0.2) return g.pick(['true', 'false']);
  if (roll < 0.4) return g.pick(NUMBERS);
  return JSON.stringify(stringValue(g));
}

function stringValue(g: Gen): string {
  const roll = g.random();
  if (roll < 0.5) return g.pick(STRINGS);
  if (roll < 0.75) return Array.from({ length: g.int(1, 12) }, () => g.pick(WORDS)).join(' ');
  if (roll < 0.9) return 'x'.repeat(g.pick([100, 1_000, 8_001, 20_001]));
  return Array.from({ length: g.int(1, 40) }, () => String.fromCodePoint(g.int(1, 0x2ffff))).join('');
}

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  maxLength?: number;
  allOf?: Schema[];
}

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

interface Operation {
  parameters?: { name: string; in: 'path' | 'query'; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

interface Route {
  method: string;
  path: string;
  operation: Operation;
}

/** JSON text for a schema: mostly well-typed values, sometimes the wrong type, extra or refused keys. */
function fromSchema(g: Gen, schemas: OpenApi['components']['schemas'], schema: Schema, ids: string[], depth = 0): string {
  if (g.chance(0.12) || depth > 4) return jsonText(g, depth);
  if (schema.$ref) return fromSchema(g, schemas, schemas[schema.$ref.split('/').pop()!], ids, depth);
  if (schema.allOf?.length) return fromSchema(g, schemas, schema.allOf[0], ids, depth);
  if (schema.enum) return JSON.stringify(g.pick(schema.enum));
  switch (schema.type ?? 'object') {
    case 'string':
      if (schema.pattern?.includes('0-9a-f')) return JSON.stringify(g.chance(0.7) && ids.length > 0 ? g.pick(ids) : stringValue(g));
      return JSON.stringify(g.chance(0.6) ? Array.from({ length: g.int(1, 20) }, () => g.pick(WORDS)).join(' ') : stringValue(g));
    case 'number':
    case 'integer':
      return g.chance(0.6) ? String(g.int(schema.minimum ?? 0, Math.min(schema.maximum ?? 100, 100))) : g.pick(NUMBERS);
    case 'boolean':
      return g.pick(['true', 'false']);
    case 'array':
      return `[${Array.from({ length: g.int(0, 4) }, () => fromSchema(g, schemas, schema.items ?? {}, ids, depth + 1)).join(',')}]`;
    default: {
      const entries = Object.entries(schema.properties ?? {}).filter(([name]) => schema.required?.includes(name) || g.chance(0.6));
      const fields = entries.map(([name, child]) => `${JSON.stringify(name)}:${fromSchema(g, schemas, child, ids, depth + 1)}`);
      if (g.chance(0.15)) fields.push(`${JSON.stringify(g.pick(KEYS))}:${jsonText(g, depth + 1)}`);
      return `{${fields.join(',')}}`;
    }
  }
}

/** Percent-encoding of any string, lone surrogates included (sent as U+FFFD, as a browser would). */
function enc(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function queryString(g: Gen, route: Route, ids: string[]): string {
  const parts: string[] = [];
  for (const parameter of route.operation.parameters ?? []) {
    if (parameter.in !== 'query' || g.chance(0.3)) continue;
    const value =
      parameter.schema?.pattern?.includes('0-9a-f') && g.chance(0.6) && ids.length > 0
        ? g.pick(ids)
        : g.chance(0.5)
          ? g.pick(NUMBERS)
          : stringValue(g);
    parts.push(`${parameter.name}=${enc(value.slice(0, 3000))}`);
    if (g.chance(0.1)) parts.push(`${parameter.name}=${enc(g.pick(STRINGS))}`);
  }
  if (g.chance(0.15)) parts.push(`${enc(g.pick(KEYS))}=${enc(g.pick(STRINGS))}`);
  if (g.chance(0.05)) parts.push(g.pick(['%zz', '%E0%A4%A', 'q=%ED%A0%80', 'a[b]=1', 'a[__proto__][x]=1', '&&&', '=x', 'limit']));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function pathOf(g: Gen, route: Route, ids: string[]): string {
  return route.path.replace(/\{[^}]+\}/g, () => {
    const roll = g.random();
    if (roll < 0.5 && ids.length > 0) return g.pick(ids);
    if (roll < 0.7) return Array.from({ length: 24 }, () => '0123456789abcdef'[g.int(0, 15)]).join('');
    return enc(g.pick([...STRINGS.filter(Boolean), 'x'.repeat(250), 'AAAAAAAAAAAAAAAAAAAAAAAA']));
  });
}

/** Header values a client can send (HTTP headers are Latin-1). */
function headerValue(g: Gen): string {
  return g.pick([
    '',
    'x',
    'a'.repeat(129),
    'a'.repeat(2_000),
    'valid-id_1.2',
    '*/*',
    'text/html',
    'null',
    '../..',
    'Ã©Ã¨',
    'Bearer',
    'a b c',
  ]);
}

type Agent = ReturnType<typeof request>;

/** Sends one random request; returns its description and the answer. */
async function sendCase(
  http: Agent,
  g: Gen,
  spec: OpenApi,
  routes: Route[],
  accounts: { admin: Account; student: Account },
  ids: string[],
): Promise<{ description: string; response: request.Response; routePath: string }> {
  const route = g.chance(0.03) ? { method: g.pick(['get', 'post', 'put']), path: `/api/${g.pick(WORDS)}`, operation: {} } : g.pick(routes);
  const url = pathOf(g, route, ids) + queryString(g, route, ids);
  let req = (http as unknown as Record<string, (url: string) => request.Test>)[route.method](url);
  const who = g.random();
  if (who < 0.45) req = req.set(bearer(accounts.admin));
  else if (who < 0.9) req = req.set(bearer(accounts.student));
  else if (who < 0.95)
    req = req.set('Authorization', g.pick(['Bearer', 'Bearer x.y.z', `Basic ${'a'.repeat(30)}`, `Bearer ${accounts.admin.accessToken}=`]));
  if (g.chance(0.3)) req = req.set('X-Request-Id', headerValue(g));
  if (g.chance(0.2)) req = req.set('Origin', g.pick(['https://school.example', 'null', 'http://localhost:3000', headerValue(g)]));
  if (g.chance(0.1)) req = req.set('Accept', headerValue(g));
  if (g.chance(0.1)) req = req.set('Accept-Language', g.pick(['fr', 'en', '*', 'zz-ZZ', headerValue(g)]));

  let bodyDescription = '';
  const content = route.operation.requestBody?.content;
  if (content || (route.method !== 'get' && g.chance(0.2))) {
    const roll = g.random();
    if (content?.['multipart/form-data'] && roll < 0.3) {
      const name = g.pick(['notes.md', 'notes.txt', 'x.pdf', 'x.docx', 'constructor', 'a.__proto__', '.md', 'ünï.html']);
      const bytes = g.pick([
        Buffer.from('# Title\n\nSome text about photosynthesis.\n'),
        Buffer.from('%PDF-1.4 broken'),
        Buffer.alloc(0),
        Buffer.from([0, 255, 1, 2]),
      ]);
      req = req.attach('file', bytes, {
        filename: name,
        contentType: g.pick(['text/plain', 'text/markdown', 'application/pdf', 'constructor', 'application/octet-stream']),
      });
      if (g.chance(0.5)) req = req.field(g.chance(0.8) ? 'title' : g.pick(KEYS), stringValue(g).slice(0, 2000) || 't');
      bodyDescription = `multipart ${name}`;
    } else if (roll < 0.85) {
      const schema = content?.['application/json']?.schema;
      const text = schema ? fromSchema(g, spec.components.schemas, schema, ids) : jsonText(g);
      req = req.set('Content-Type', g.chance(0.9) ? 'application/json' : 'application/json; charset=utf-8').send(text);
      bodyDescription = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
    } else {
      const type = g.pick(['application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'application/octet-stream']);
      const text = type.includes('form')
        ? `username=${enc(stringValue(g))}&password=${enc(g.pick(STRINGS))}&${enc(g.pick(KEYS))}=1`
        : stringValue(g);
      req = req.set('Content-Type', type).send(text);
      bodyDescription = `${type}: ${text.slice(0, 200)}`;
    }
  }
  const response = await req.buffer(true).parse(streamText);
  return { description: `${route.method.toUpperCase()} ${url.slice(0, 400)} ${bodyDescription}`, response, routePath: route.path };
}

const CODES = new Set(Object.keys(ERROR_STATUS));

/** What is wrong with an answer under API.md's conventions, or null. */
function contractViolation(response: request.Response, routePath: string): string | null {
  const text = response.text ?? (response.body as string);
  const type = String(response.headers['content-type'] ?? '');
  if (response.status >= 500) return `server error ${response.status}`;
  if (!response.headers['x-request-id']) return 'no X-Request-Id';
  if (response.status === 204) return text ? 'a 204 with a body' : null;
  if (/\n\s+at .*:\d+/.test(text)) return 'a stack trace in the answer';
  if (type.startsWith('text/event-stream')) return response.status === 200 ? null : 'an event stream with an error status';
  if (!type.startsWith('application/json')) return `content type ${type}`;
  let body: { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown }; request_id?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 'a JSON answer that does not parse';
  }
  if (response.status >= 400) {
    if (body.ok !== false || typeof body.error?.code !== 'string' || typeof body.error.message !== 'string')
      return 'not the error envelope';
    if (!CODES.has(body.error.code)) return `unknown error code ${body.error.code}`;
    if (ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS] !== response.status)
      return `${body.error.code} with status ${response.status}`;
    if (body.request_id !== response.headers['x-request-id']) return 'request_id differs from X-Request-Id';
    return null;
  }
  if (routePath.startsWith('/api/') || routePath.startsWith('/health/')) {
    if (body.ok !== true || !('data' in body)) return 'not the success envelope';
  }
  return null;
}

describe('fuzzing every route', () => {
  let t: TestApp;
  let spec: OpenApi;
  let routes: Route[];
  let accounts: { admin: Account; student: Account };
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      env: { CHAT_REQUESTS_PER_MINUTE: '100000', LOGIN_MAX_FAILURES: '1000', EVALUATION_REQUESTS_PER_MINUTE: '100000' },
    });
    const admin = await loginAdmin(t.http);
    const student = await register(t.http);
    accounts = { admin, student };
    const moduleId = await createCourseModule(
      t,
      admin,
      'Fuzzed course',
      '# Photosynthesis\n\nPlants turn light energy into chemical energy. The constructor of a prototype builds objects; toString and valueOf are inherited.\n',
    );
    ids.push(moduleId);
    const resources = await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin));
    ids.push(...(resources.body.data.items as { id: string }[]).map((r) => r.id));
    const chat = await t.http
      .post('/api/chat')
      .set(bearer(student))
      .send({ message: 'What do plants turn light into?', module_id: moduleId });
    ids.push(chat.body.data.conversation_id, chat.body.data.message_id);
    const grade = await t.http
      .post('/api/evaluation/grade')
      .set(bearer(student))
      .send({ question: 'q', student_answer: 'a', reference_answer: 'b' });
    ids.push(grade.body.data.id);
    const questions = await t.http.post('/api/evaluation/generate-questions').set(bearer(student)).send({ module_id: moduleId, count: 2 });
    ids.push(...(questions.body.data.questions as { id: string }[]).map((q) => q.id));
    const job = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    ids.push(job.body.data.id);
    spec = (await t.http.get('/docs-json')).body as OpenApi;
    routes = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
    );
  });

  afterAll(async () => {
    await t.close();
  });

  it('should list every route of the API in the OpenAPI document it fuzzes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect(routes.some((r) => r.method === 'post' && r.path === '/api/chat/stream')).toBe(true);
  });

  it(`should answer random requests without a server error, in the envelope (seed ${SEED})`, async () => {
    const started = Date.now();
    const failures: string[] = [];
    let ran = 0;
    for (let i = ONLY ?? 0; i < (ONLY === undefined ? CASES : ONLY + 1); i++) {
      if (Date.now() - started > SECONDS * 1000) break;
      // One generator per case, so FUZZ_SEED and FUZZ_CASE replay exactly this request.
      const g = new Gen(randomFrom(SEED * 7919 + i));
      const { description, response, routePath } = await sendCase(t.http, g, spec, routes, accounts, ids);
      ran++;
      const violation = contractViolation(response, routePath);
      if (violation) {
        // The server's own account of an unexpected error, to find where it was born.
        const logged = t
          .logs()
          .filter((line) => line.request_id === response.headers['x-request-id'] && line.level === 'error')
          .map((line) => JSON.stringify((line.err as { stack?: string } | undefined)?.stack ?? line).slice(0, 1500));
        failures.push(
          `FUZZ_SEED=${SEED} FUZZ_CASE=${i}: ${violation}: ${description} -> ${response.status} ${String(response.text ?? response.body).slice(0, 300)}` +
            (logged.length > 0 ? `\n  logged: ${logged.join('\n  ')}` : ''),
        );
        if (failures.length >= 10) break;
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} answers broke the contract (seed ${SEED}):\n${failures.join('\n')}`);
    expect(ran).toBeGreaterThan(0);
  });
});
