import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { startTestApp, TEST_ADMIN, TestApp, uniqueEmail } from '../support/test-app';

/**
 * What a client team does with the committed openapi.json: generate TypeScript types with
 * openapi-typescript, write a program against them with openapi-fetch, let the compiler check it,
 * then run it against the live API. The program declares no API type of its own: every request and
 * response type comes from the generated file.
 *
 * The resource is added as JSON `{title, content, format}`: the document declares the multipart
 * body with the JSON schema (no binary `file` field), so a typed multipart upload cannot be written.
 */
const CLIENT_PROGRAM = `
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api';

const LOOPS = [
  '# Loops',
  '',
  '## The while loop',
  '',
  'A while loop repeats its body as long as its condition stays true. Forgetting to change the condition gives an infinite loop.',
  '',
  '## The for loop',
  '',
  'A for loop walks through the items of a sequence one by one, for example for item in range(3).',
].join('\\n');

/** The payload of a success answer, or an error naming the status and the error envelope. */
function must<D, E>(result: { data?: D; error?: E; response: Response }, status: number): D {
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(result.response.url + ' answered ' + result.response.status + ': ' + JSON.stringify(result.error));
  }
  return result.data;
}

export async function runFlow(baseUrl: string, admin: { email: string; password: string }, email: string) {
  const anonymous = createClient<paths>({ baseUrl });
  const live = must(await anonymous.GET('/health/live'), 200);
  const liveStatus: 'ok' = live.data.status;

  const password = 'student-password-1';
  const registered = must(await anonymous.POST('/api/auth/register', { body: { email, password, display_name: 'Ada' } }), 201);
  const registeredRole: 'student' | 'instructor' | 'admin' = registered.data.user.role;
  const tokenType: 'Bearer' = registered.data.token_type;
  const session = must(await anonymous.POST('/api/auth/login', { body: { email, password } }), 200);
  const student = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + session.data.access_token } });
  const me = must(await student.GET('/api/users/me'), 200);

  const adminSession = must(await anonymous.POST('/api/auth/login', { body: admin }), 200);
  const staff = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + adminSession.data.access_token } });
  const course = must(await staff.POST('/api/admin/courses', { body: { title: 'Python for beginners', description: 'Group B' } }), 201);
  const joinCode: string | null = course.data.join_code;
  if (joinCode === null) throw new Error('the course creator sees the join code');
  const joined = must(await student.POST('/api/courses/join', { body: { code: joinCode } }), 200);
  const module = must(
    await staff.POST('/api/admin/modules', { body: { title: 'Loops', description: 'Repeating code', course_id: course.data.id } }),
    201,
  );
  const resource = must(
    await staff.POST('/api/admin/modules/{id}/resources', { params: { path: { id: module.data.id } }, body: { title: 'Loops', content: LOOPS, format: 'markdown' } }),
    201,
  );
  const resourceStatus: 'pending' | 'indexed' | 'failed' = resource.data.status;

  const search = must(await student.GET('/api/search', { params: { query: { q: 'while loop condition', module_id: module.data.id, k: 3 } } }), 200);
  const chat = must(await student.POST('/api/chat', { body: { message: 'What does a while loop do?', module_id: module.data.id } }), 200);
  const conversation = must(await student.GET('/api/chat/conversations/{id}', { params: { path: { id: chat.data.conversation_id } } }), 200);
  const grade = must(
    await student.POST('/api/evaluation/grade', {
      body: {
        question: 'What does a while loop do?',
        student_answer: 'It repeats its body while its condition stays true.',
        reference_answer: 'A while loop repeats its body as long as its condition stays true.',
        module_id: module.data.id,
      },
    }),
    200,
  );
  const generated = must(
    await student.POST('/api/evaluation/generate-questions', { body: { module_id: module.data.id, count: 3, difficulty: 'easy', types: ['mcq', 'true_false'], language: 'en' } }),
    200,
  );
  const authored = must(
    await staff.POST('/api/admin/modules/{id}/questions', {
      params: { path: { id: module.data.id } },
      body: {
        type: 'mcq',
        question: 'What does a while loop do while its condition stays true?',
        choices: ['It repeats its body', 'It stops at once', 'It skips its body', 'It raises an error'],
        answer: 'It repeats its body',
        difficulty: 'easy',
      },
    }),
    201,
  );
  const origin: 'authored' | 'generated' | 'practice' = authored.data.origin;
  const bank = must(await student.GET('/api/modules/{id}/questions', { params: { path: { id: module.data.id } } }), 200);
  const answered = must(
    await student.POST('/api/evaluation/grade', { body: { question_id: authored.data.id, student_answer: 'It repeats its body' } }),
    200,
  );
  const progress = must(await student.GET('/api/evaluation/progress'), 200);
  const review = must(await student.GET('/api/evaluation/review', { params: { query: { course_id: course.data.id, limit: 5 } } }), 200);
  const missing = await student.GET('/api/modules/{id}', { params: { path: { id: 'c'.repeat(24) } } });
  const missingCode: string | undefined = missing.error?.error.code;

  return {
    liveStatus,
    registeredRole,
    tokenType,
    me: { id: me.data.id, email: me.data.email, display_name: me.data.display_name, locale: me.data.locale },
    course: { id: course.data.id, joined: joined.data.id, join_code: joined.data.join_code, students: joined.data.student_count },
    module: { id: module.data.id, title: module.data.title, resource_count: module.data.resource_count, course_id: module.data.course_id },
    resource: { module_id: resource.data.module_id, status: resourceStatus, chunk_count: resource.data.chunk_count, mime_type: resource.data.mime_type },
    search: search.data.results.map((p) => ({ resource_id: p.resource_id, module_id: p.module_id, score: p.score, text: p.text, heading: p.location.heading })),
    chat: { conversation_id: chat.data.conversation_id, message_id: chat.data.message_id, answer: chat.data.answer, sources: chat.data.sources.length },
    conversation: conversation.data.messages.map((m) => ({ id: m.id, role: m.role, content: m.content })),
    grade: { score: grade.data.score, max_score: grade.data.max_score, percentage: grade.data.percentage, feedback: grade.data.feedback, counts: grade.data.counts_toward_progress },
    questions: generated.data.questions.map((q) => ({ type: q.type, answer: q.answer, choices: q.choices, difficulty: q.difficulty, origin: q.origin })),
    authored: { id: authored.data.id, origin, module_id: authored.data.module_id },
    bank: bank.data.items.map((q) => ({ id: q.id, answer: q.answer, choices: q.choices })),
    answered: { question_id: answered.data.question_id, percentage: answered.data.percentage, counts: answered.data.counts_toward_progress },
    review: { items: review.data.items.map((i) => ({ id: i.question.id, reps: i.reps, due_at: i.due_at })), next_due_at: review.data.next_due_at },
    progress: { overall: progress.data.overall, modules: progress.data.modules.map((m) => ({ module_id: m.module_id, attempts: m.attempts, mastery: m.mastery })) },
    missing: { status: missing.response.status, code: missingCode },
  };
}

/** Never run: each directive fails the compilation unless the generated types reject the line below it. */
export function generatedTypesAreStrict(client: Client<paths>) {
  // @ts-expect-error: no such path in the document
  void client.GET('/api/no-such-path');
  // @ts-expect-error: registration needs a password
  void client.POST('/api/auth/register', { body: { email: 'a@example.org' } });
  // @ts-expect-error: a text resource's format is markdown, text or html
  void client.POST('/api/admin/modules/{id}/resources', { params: { path: { id: 'x' } }, body: { title: 't', content: 'c', format: 'pdf' } });
  // @ts-expect-error: a bank question is mcq, true_false or short_answer
  void client.POST('/api/admin/modules/{id}/questions', { params: { path: { id: 'x' } }, body: { type: 'essay', question: 'q' } });
  // @ts-expect-error: the module id is a path parameter that must be given
  void client.GET('/api/modules/{id}');
  return async () => {
    const me = must(await client.GET('/api/users/me'), 200);
    // @ts-expect-error: a user never carries a password hash
    void me.data.password_hash;
    // @ts-expect-error: an email is a string
    const wrong: number = me.data.email;
    return wrong;
  };
}
`;

/** The repository root (where openapi.json is), whether the tests run from dist/ or a build folder. */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'openapi.json')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error('openapi.json not found above ' + __dirname);
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  });
}

/** What `runFlow` hands back, as the test sees it after loading the compiled program at run time. */
type FlowResult = {
  liveStatus: string;
  registeredRole: string;
  tokenType: string;
  me: { id: string; email: string; display_name: string | null; locale: string | null };
  course: { id: string; joined: string; join_code: string | null; students: number };
  module: { id: string; title: string; resource_count: number; course_id: string | null };
  resource: { module_id: string; status: string; chunk_count: number; mime_type: string };
  search: { resource_id: string; module_id: string; score: number; text: string; heading?: string }[];
  chat: { conversation_id: string; message_id: string; answer: string; sources: number };
  conversation: { id: string; role: string; content: string }[];
  grade: { score: number; max_score: number; percentage: number; feedback: string; counts: boolean };
  questions: { type: string; answer?: string; choices?: string[]; difficulty: string; origin: string }[];
  authored: { id: string; origin: string; module_id: string | null };
  bank: { id: string; answer?: string; choices?: string[] }[];
  answered: { question_id: string | null; percentage: number; counts: boolean };
  review: { items: { id: string; reps: number; due_at: string | null }[]; next_due_at: string | null };
  progress: {
    overall: { attempts: number; average_percentage: number };
    modules: { module_id: string; attempts: number; mastery: number }[];
  };
  missing: { status: number; code?: string };
};

describe('a client generated from openapi.json', () => {
  const root = repositoryRoot();
  const document = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8')) as { paths: Record<string, unknown> };
  let dir: string;
  let generated: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lp-sdk-'));
    // openapi-typescript's dependencies are ES modules only, which Jest loads through import().
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    generated = astToString(await openapiTS(document as Parameters<typeof openapiTS>[0]));
    writeFileSync(join(dir, 'api.d.ts'), generated);
    writeFileSync(join(dir, 'client.ts'), CLIENT_PROGRAM);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should generate a type for every path of the document', () => {
    const typedPaths = [...generated.matchAll(/^ {4}"(\/[^"]*)": \{$/gm)].map((m) => m[1]);
    expect(typedPaths.sort()).toEqual(Object.keys(document.paths).sort());
  });

  it('should compile a client program written only against the generated types', () => {
    const program = ts.createProgram({
      rootNames: [join(dir, 'client.ts')],
      options: {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: [],
        // The program lives in a temporary folder: point the client library at this repository's copy.
        paths: { 'openapi-fetch': [join(root, 'node_modules', 'openapi-fetch')] },
        skipLibCheck: true,
      },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    assert.equal(diagnostics.length, 0, formatDiagnostics(diagnostics));
    assert.ok(program.getSourceFile(join(dir, 'api.d.ts')), 'the generated types were used');
  });

  describe('against the running API', () => {
    let t: TestApp;
    let baseUrl: string;
    beforeAll(async () => {
      t = await startTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '1000' } });
      await t.app.listen(0, '127.0.0.1');
      const address = t.app.getHttpServer().address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${address.port}`;
    });
    afterAll(() => t.close());

    it('should register, create a course, join it by code, add content, search, chat, author and answer a bank question, and read progress and the review queue', async () => {
      const js = ts.transpileModule(CLIENT_PROGRAM, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      const filename = join(dir, 'client.js');
      const loaded = {
        exports: {} as { runFlow: (baseUrl: string, admin: { email: string; password: string }, email: string) => Promise<FlowResult> },
      };
      compileFunction(js, ['exports', 'require', 'module'], { filename })(
        loaded.exports,
        createRequire(join(root, 'package.json')),
        loaded,
      );

      const email = uniqueEmail('sdk');
      const result = await loaded.exports.runFlow(baseUrl, TEST_ADMIN, email);

      assert.equal(result.liveStatus, 'ok');
      assert.equal(result.registeredRole, 'student');
      assert.equal(result.tokenType, 'Bearer');
      assert.equal(result.me.email, email);
      assert.equal(result.me.display_name, 'Ada');
      assert.equal(result.me.locale, null);
      assert.match(result.me.id, /^[0-9a-f]{24}$/);
      expect(result.course).toEqual({ id: result.course.id, joined: result.course.id, join_code: null, students: 1 });
      assert.equal(result.module.title, 'Loops');
      assert.equal(result.module.resource_count, 0);
      assert.equal(result.module.course_id, result.course.id);
      expect({ ...result.resource, chunk_count: result.resource.chunk_count > 0 }).toEqual({
        module_id: result.module.id,
        status: 'indexed',
        chunk_count: true,
        mime_type: 'text/markdown',
      });

      assert.ok(result.search.length > 0 && result.search.length <= 3);
      assert.ok(result.search.every((p) => p.module_id === result.module.id));
      assert.match(result.search[0].text, /while loop/i);
      // The result comes from another process's JSON: compared by value, not by realm.
      expect(result.search.map((p) => p.score)).toEqual([...result.search.map((p) => p.score)].sort((a, b) => b - a));

      assert.match(result.chat.conversation_id, /^[0-9a-f]{24}$/);
      assert.ok(result.chat.answer.length > 0 && result.chat.sources > 0);
      expect(result.conversation.map((m) => m.role)).toEqual(['user', 'assistant']);
      assert.equal(result.conversation[0].content, 'What does a while loop do?');
      expect(result.conversation[1]).toEqual({ id: result.chat.message_id, role: 'assistant', content: result.chat.answer });

      assert.equal(result.grade.max_score, 10);
      assert.ok(result.grade.score >= 0 && result.grade.score <= 10);
      assert.ok(Math.abs(result.grade.percentage - (100 * result.grade.score) / result.grade.max_score) < 0.01);
      assert.ok(result.grade.feedback.length > 0);
      assert.equal(result.grade.counts, false, 'an answer graded on its own reference is practice');

      assert.ok(result.questions.length > 0 && result.questions.length <= 3);
      for (const q of result.questions) {
        assert.ok(q.type === 'mcq' || q.type === 'true_false', q.type);
        assert.equal(q.difficulty, 'easy');
        assert.equal(q.origin, 'practice');
        if (q.type === 'mcq') assert.ok(q.answer !== undefined && q.choices?.includes(q.answer));
        else assert.ok(['true', 'false'].includes(q.answer ?? ''));
      }

      expect(result.authored).toEqual({ id: result.authored.id, origin: 'authored', module_id: result.module.id });
      expect(result.bank).toEqual([{ id: result.authored.id, answer: undefined, choices: expect.any(Array) }]);
      expect(result.answered).toEqual({ question_id: result.authored.id, percentage: 100, counts: true });

      expect(result.progress.overall).toEqual({ attempts: 1, average_percentage: 100 });
      expect(result.progress.modules.map((m) => [m.module_id, m.attempts])).toEqual([[result.module.id, 1]]);
      assert.ok(result.progress.modules[0].mastery >= 0 && result.progress.modules[0].mastery <= 1);
      // Answered perfectly just now: not due yet, and scheduled for later.
      expect(result.review.items).toEqual([]);
      assert.ok(result.review.next_due_at !== null && Date.parse(result.review.next_due_at) > Date.now());

      expect(result.missing).toEqual({ status: 404, code: 'not_found' });
    });
  });
});
