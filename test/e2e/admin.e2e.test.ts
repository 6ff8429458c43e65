import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type request from 'supertest';
import { SessionsRepository } from '../../src/auth/sessions.repository';
import { ConversationsRepository } from '../../src/chat/conversations.repository';
import { MessagesRepository } from '../../src/chat/messages.repository';
import { GradesRepository } from '../../src/evaluation/grades.repository';
import { ProgressRepository } from '../../src/evaluation/progress.repository';
import { ReviewCardsRepository } from '../../src/evaluation/review-cards.repository';
import { UsageRepository } from '../../src/usage/usage.repository';
import { Account, bearer, errorCode, login, loginAdmin, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

/** Administration through the booted app: conversation logs, statistics, the audit log, user erasure. */

const LOOPS_MD = `# Loops

## The while loop

A while loop repeats its body as long as its condition stays true. Forgetting to change the
condition gives an infinite loop, which never ends.

## The for loop

A for loop walks through the items of a sequence one by one, for example for item in range(3).
`;

const QUESTION = 'What does a while loop do?';
const REFERENCE = 'A while loop repeats its body as long as its condition stays true.';

type Agent = TestApp['http'];
type AdminConversation = {
  id: string;
  user_id: string;
  module_id: string | null;
  title: string;
  message_count: number;
  created_at: string;
  updated_at: string;
};
type Message = { id: string; role: 'user' | 'assistant'; content: string; created_at: string };
type AuditEntry = {
  id: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
  created_at: string;
};
type Stats = {
  users: number;
  conversations: number;
  messages: number;
  grades: number;
  average_percentage: number;
  tokens: { prompt: number; completion: number; total: number };
  tokens_by_day: { date: string; prompt: number; completion: number; total: number }[];
};

const UNKNOWN_ID = 'c'.repeat(24);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ok<T>(response: request.Response | Promise<request.Response>, status = 200): Promise<T> {
  const res = await response;
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body.data as T;
}

/** Model usage is recorded just after the answer leaves; wait for it to land. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

function helpers(http: () => Agent) {
  /** Each module's bank question on QUESTION, whose answers count. */
  const bankQuestions = new Map<string, string>();
  return {
    async createModule(actor: Account, title: string): Promise<string> {
      const module = await ok<{ id: string }>(http().post('/api/admin/modules').set(bearer(actor)).send({ title }), 201);
      await ok(
        http()
          .post(`/api/admin/modules/${module.id}/resources`)
          .set(bearer(actor))
          .send({ title: 'Loops', content: LOOPS_MD, format: 'markdown' }),
        201,
      );
      const question = await ok<{ id: string }>(
        http()
          .post(`/api/admin/modules/${module.id}/questions`)
          .set(bearer(actor))
          .send({ type: 'short_answer', question: QUESTION, reference_answer: REFERENCE }),
        201,
      );
      bankQuestions.set(module.id, question.id);
      return module.id;
    },
    chat(account: Account, body: { message: string; conversation_id?: string; module_id?: string }) {
      return ok<{ conversation_id: string; message_id: string; answer: string }>(http().post('/api/chat').set(bearer(account)).send(body));
    },
    /** With a module, an answer to its bank question (counted); without, practice on the reference. */
    grade(account: Account, studentAnswer: string, moduleId?: string) {
      const body = moduleId
        ? { question_id: bankQuestions.get(moduleId), student_answer: studentAnswer }
        : { question: QUESTION, student_answer: studentAnswer, reference_answer: REFERENCE };
      return ok<{ id: string; percentage: number; score: number; max_score: number }>(
        http().post('/api/evaluation/grade').set(bearer(account)).send(body),
      );
    },
    async createStaff(admin: Account, role: 'instructor' | 'admin'): Promise<Account> {
      const email = uniqueEmail(role);
      await ok(http().post('/api/admin/users').set(bearer(admin)).send({ email, password: 'staff-password-1', role }), 201);
      return login(http(), email, 'staff-password-1');
    },
  };
}

describe('administration', () => {
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let student: Account;
  let moduleId: string;
  const h = helpers(() => t.http);

  beforeAll(async () => {
    t = await startTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '1000' } });
    admin = await loginAdmin(t.http);
    teacher = await h.createStaff(admin, 'instructor');
    student = await register(t.http);
    moduleId = await h.createModule(teacher, 'Loops');
  });
  afterAll(() => t.close());

  async function adminConversations(query: Record<string, string | number>) {
    return ok<{ items: AdminConversation[]; next_cursor: string | null }>(
      t.http.get('/api/admin/conversations').query(query).set(bearer(admin)),
    );
  }

  async function audit(query: Record<string, string | number>) {
    return ok<{ items: AuditEntry[]; next_cursor: string | null }>(
      t.http
        .get('/api/admin/audit')
        .query({ limit: 100, ...query })
        .set(bearer(admin)),
    );
  }

  describe('access', () => {
    it('should answer 403 to instructors and students on the admin-only routes', async () => {
      const conversation = await h.chat(student, { message: 'What is a for loop?' });
      for (const path of [
        '/api/admin/conversations',
        `/api/admin/conversations/${conversation.conversation_id}`,
        '/api/admin/stats',
        '/api/admin/audit',
      ]) {
        for (const account of [teacher, student]) {
          const response = await t.http.get(path).set(bearer(account));
          assert.equal(response.status, 403, `${path} for a non-admin`);
          assert.equal(errorCode(response), 'forbidden');
        }
        assert.equal((await t.http.get(path)).status, 401, `${path} without a token`);
      }
    });
  });

  describe('conversation logs', () => {
    it("should list every learner's conversations with user_id, filtered by user and by module", async () => {
      const ann = await register(t.http);
      const bob = await register(t.http);
      const annInModule = await h.chat(ann, { message: 'How does a while loop end?', module_id: moduleId });
      const annFree = await h.chat(ann, { message: 'What is a for loop?' });
      const bobInModule = await h.chat(bob, { message: 'What is an infinite loop?', module_id: moduleId });

      const anns = await adminConversations({ user_id: ann.id });
      assert.deepEqual(anns.items.map((c) => c.id).sort(), [annInModule.conversation_id, annFree.conversation_id].sort());
      assert.ok(anns.items.every((c) => c.user_id === ann.id));
      assert.deepEqual(Object.keys(anns.items[0]).sort(), [
        'created_at',
        'id',
        'message_count',
        'module_id',
        'title',
        'updated_at',
        'user_id',
      ]);

      const inModule = await adminConversations({ module_id: moduleId, limit: 100 });
      const ids = inModule.items.map((c) => c.id);
      assert.ok(ids.includes(annInModule.conversation_id) && ids.includes(bobInModule.conversation_id));
      assert.ok(!ids.includes(annFree.conversation_id));
      assert.ok(inModule.items.every((c) => c.module_id === moduleId));
      const byOwner = new Map(inModule.items.map((c) => [c.id, c.user_id]));
      assert.equal(byOwner.get(bobInModule.conversation_id), bob.id);

      const both = await adminConversations({ user_id: bob.id, module_id: moduleId });
      assert.deepEqual(
        both.items.map((c) => c.id),
        [bobInModule.conversation_id],
      );
      assert.deepEqual((await adminConversations({ user_id: UNKNOWN_ID })).items, []);
    });

    it('should keep only the conversations started between from and to', async () => {
      const learner = await register(t.http);
      const first = await h.chat(learner, { message: 'What is a while loop?' });
      await sleep(15);
      const between = new Date().toISOString();
      await sleep(15);
      const second = await h.chat(learner, { message: 'What is a for loop?' });

      assert.deepEqual(
        (await adminConversations({ user_id: learner.id, from: between })).items.map((c) => c.id),
        [second.conversation_id],
      );
      assert.deepEqual(
        (await adminConversations({ user_id: learner.id, to: between })).items.map((c) => c.id),
        [first.conversation_id],
      );
      const all = await adminConversations({
        user_id: learner.id,
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      assert.equal(all.items.length, 2);
      assert.deepEqual((await adminConversations({ user_id: learner.id, from: new Date(Date.now() + 60_000).toISOString() })).items, []);
    });

    it('should page through conversations newest first with the cursor it issues', async () => {
      const learner = await register(t.http);
      const started: string[] = [];
      for (const message of ['What is a loop?', 'What is a while loop?', 'What is a for loop?'])
        started.push((await h.chat(learner, { message })).conversation_id);

      const first = await adminConversations({ user_id: learner.id, limit: 2 });
      assert.deepEqual(
        first.items.map((c) => c.id),
        [started[2], started[1]],
      );
      assert.equal(typeof first.next_cursor, 'string');
      const second = await adminConversations({ user_id: learner.id, limit: 2, cursor: first.next_cursor! });
      assert.deepEqual(
        second.items.map((c) => c.id),
        [started[0]],
      );
      assert.equal(second.next_cursor, null);

      const forged = await t.http.get('/api/admin/conversations').query({ cursor: 'not-a-cursor' }).set(bearer(admin));
      assert.equal(forged.status, 400);
      assert.equal(errorCode(forged), 'validation_failed');
    });

    it('should show one conversation with its messages in the order they were written', async () => {
      const learner = await register(t.http);
      const turn1 = await h.chat(learner, { message: 'What does a while loop do?', module_id: moduleId });
      const turn2 = await h.chat(learner, {
        message: 'And what happens if the condition never changes?',
        conversation_id: turn1.conversation_id,
      });

      const conversation = await ok<AdminConversation & { messages: Message[] }>(
        t.http.get(`/api/admin/conversations/${turn1.conversation_id}`).set(bearer(admin)),
      );
      assert.equal(conversation.id, turn1.conversation_id);
      assert.equal(conversation.user_id, learner.id);
      assert.equal(conversation.module_id, moduleId);
      assert.equal(conversation.message_count, 4);
      assert.deepEqual(
        conversation.messages.map((m) => [m.role, m.content]),
        [
          ['user', 'What does a while loop do?'],
          ['assistant', turn1.answer],
          ['user', 'And what happens if the condition never changes?'],
          ['assistant', turn2.answer],
        ],
      );
      assert.equal(conversation.messages[1].id, turn1.message_id);
      assert.equal(conversation.messages[3].id, turn2.message_id);
      const times = conversation.messages.map((m) => Date.parse(m.created_at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
    });

    it('should answer 404 for an unknown conversation and 400 for malformed ids and dates', async () => {
      const unknown = await t.http.get(`/api/admin/conversations/${UNKNOWN_ID}`).set(bearer(admin));
      assert.equal(unknown.status, 404);
      assert.equal(errorCode(unknown), 'not_found');
      for (const [path, query] of [
        ['/api/admin/conversations/not-an-id', {}],
        ['/api/admin/conversations', { user_id: 'nope' }],
        ['/api/admin/conversations', { module_id: '123' }],
        ['/api/admin/conversations', { from: 'yesterday' }],
        ['/api/admin/conversations', { to: '2024-13-45T00:00:00Z' }],
        ['/api/admin/conversations', { limit: 0 }],
      ] as const) {
        const response = await t.http.get(path).query(query).set(bearer(admin));
        assert.equal(response.status, 400, `${path} ${JSON.stringify(query)}`);
        assert.equal(errorCode(response), 'validation_failed');
      }
    });
  });

  describe('audit log', () => {
    /** The single entry of `action` on `targetId`, checked against the request that caused it. */
    async function entryFor(action: string, targetId: string, response: request.Response, actor: Account): Promise<AuditEntry> {
      const entries = (await audit({ action })).items.filter((e) => e.target_id === targetId);
      assert.equal(entries.length, 1, `one ${action} entry for ${targetId}`);
      const entry = entries[0];
      assert.equal(entry.actor_id, actor.id);
      assert.equal(entry.action, action);
      assert.match(String(response.headers['x-request-id']), /.+/);
      assert.equal(entry.request_id, response.headers['x-request-id']);
      return entry;
    }

    it('should record user creation, update and deletion with the request id that did each', async () => {
      const email = uniqueEmail('audited');
      const created = await t.http
        .post('/api/admin/users')
        .set(bearer(admin))
        .set('X-Request-Id', 'audit-user-create-1')
        .send({ email, password: 'a-good-password', role: 'student' });
      assert.equal(created.status, 201);
      const userId = created.body.data.id as string;
      const createEntry = await entryFor('user.create', userId, created, admin);
      assert.equal(createEntry.request_id, 'audit-user-create-1');
      assert.equal(createEntry.target_type, 'user');

      const updated = await t.http.patch(`/api/admin/users/${userId}`).set(bearer(admin)).send({ role: 'instructor' });
      assert.equal(updated.status, 200);
      const updateEntry = await entryFor('user.update', userId, updated, admin);
      assert.equal(updateEntry.details.role, 'instructor');

      const deleted = await t.http.delete(`/api/admin/users/${userId}`).set(bearer(admin));
      assert.equal(deleted.status, 204);
      await entryFor('user.delete', userId, deleted, admin);
    });

    it('should record module creation, index rebuild and grade review by their actors', async () => {
      const moduleResponse = await t.http.post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Audited module' });
      assert.equal(moduleResponse.status, 201);
      await entryFor('module.create', moduleResponse.body.data.id, moduleResponse, teacher);

      const rebuild = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
      assert.equal(rebuild.status, 202);
      await entryFor('index.rebuild', rebuild.body.data.id, rebuild, admin);

      const grade = await h.grade(student, 'It repeats while the condition is true.', moduleId);
      const review = await t.http
        .patch(`/api/admin/evaluations/${grade.id}`)
        .set(bearer(teacher))
        .send({ score: grade.max_score, feedback: 'Right, well done.' });
      assert.equal(review.status, 200, JSON.stringify(review.body));
      const entry = await entryFor('grade.review', grade.id, review, teacher);
      assert.equal(entry.target_type, 'grade');
    });

    it('should filter entries by actor, action and time, newest first', async () => {
      const before = new Date(Date.now() - 1).toISOString();
      await sleep(5);
      const other = await h.createStaff(admin, 'admin');
      const a = await t.http.post('/api/admin/modules').set(bearer(other)).send({ title: 'Filter A' });
      await sleep(5);
      const b = await t.http.post('/api/admin/modules').set(bearer(other)).send({ title: 'Filter B' });

      const mine = await audit({ actor_id: other.id });
      assert.deepEqual(
        mine.items.map((e) => e.target_id),
        [b.body.data.id, a.body.data.id],
      );
      assert.ok(mine.items.every((e) => e.actor_id === other.id && e.action === 'module.create'));

      const creations = await audit({ action: 'user.create' });
      assert.ok(creations.items.length > 0 && creations.items.every((e) => e.action === 'user.create'));
      assert.ok(creations.items.some((e) => e.target_id === other.id));

      const recent = await audit({ from: before });
      assert.ok(recent.items.every((e) => Date.parse(e.created_at) >= Date.parse(before)));
      assert.ok(recent.items.some((e) => e.target_id === other.id));
      const older = await audit({ to: before });
      assert.ok(older.items.length > 0, 'earlier actions are there');
      assert.ok(older.items.every((e) => Date.parse(e.created_at) <= Date.parse(before)));
      assert.ok(!older.items.some((e) => e.actor_id === other.id));

      const paged = await audit({ actor_id: other.id, limit: 1 });
      assert.equal(paged.items.length, 1);
      const rest = await audit({ actor_id: other.id, limit: 1, cursor: paged.next_cursor! });
      assert.deepEqual(
        rest.items.map((e) => e.target_id),
        [a.body.data.id],
      );

      for (const query of [{ actor_id: 'x' }, { from: 'not-a-date' }, { to: '31/12/2024' }]) {
        const response = await t.http.get('/api/admin/audit').query(query).set(bearer(admin));
        assert.equal(response.status, 400, JSON.stringify(query));
        assert.equal(errorCode(response), 'validation_failed');
      }
    });
  });

  describe('user deletion', () => {
    interface Footprint {
      conversations: (string | null)[];
      messages: number[];
      grades: string[];
      progress: { moduleId: string; attempts: number }[];
      reviewCards: number;
      usageDays: number;
      sessions: (string | null)[];
    }

    /** Everything stored for a learner, read straight from the repositories. */
    async function footprint(userId: string, conversationIds: string[], sessionIds: string[]): Promise<Footprint> {
      const conversations = t.app.get(ConversationsRepository);
      const messages = t.app.get(MessagesRepository);
      const sessions = t.app.get(SessionsRepository);
      return {
        conversations: await Promise.all(conversationIds.map(async (id) => (await conversations.findById(id))?.userId ?? null)),
        messages: await Promise.all(conversationIds.map(async (id) => (await messages.forConversation(id)).length)),
        grades: (await t.app.get(GradesRepository).list({ userId, limit: 1000 })).map((g) => g.id).sort(),
        progress: (await t.app.get(ProgressRepository).forUser(userId)).map((p) => ({ moduleId: p.moduleId, attempts: p.attempts })),
        reviewCards: (await t.app.get(ReviewCardsRepository).questionIds(userId, undefined)).length,
        usageDays: (await t.app.get(UsageRepository).between('0000-01-01', '9999-12-31', userId)).length,
        sessions: await Promise.all(sessionIds.map(async (id) => (await sessions.findById(id))?.userId ?? null)),
      };
    }

    /** A learner with two conversations, two graded answers in a module, model usage and two sessions. */
    async function activeLearner() {
      const account = await register(t.http);
      const second = await login(t.http, account.email, account.password);
      const c1 = await h.chat(account, { message: 'What does a while loop do?', module_id: moduleId });
      await h.chat(account, { message: 'Can it run forever?', conversation_id: c1.conversation_id });
      const c2 = await h.chat(account, { message: 'What is a for loop?' });
      const g1 = await h.grade(account, 'It repeats its body while its condition stays true.', moduleId);
      const g2 = await h.grade(account, 'It stops at once.', moduleId);
      const sessionIds = [account.refreshToken, second.refreshToken].map((token) => token.split('.')[0]);
      return { account, conversationIds: [c1.conversation_id, c2.conversation_id], gradeIds: [g1.id, g2.id].sort(), sessionIds };
    }

    it("should erase every piece of the deleted learner's data and leave the other learner's intact", async () => {
      const gone = await activeLearner();
      const kept = await activeLearner();
      const footprintOf = (learner: typeof gone) => footprint(learner.account.id, learner.conversationIds, learner.sessionIds);
      await eventually(
        () => footprintOf(gone),
        (f) => f.usageDays > 0,
        "the deleted learner's usage",
      );
      const keptBefore = await eventually(
        () => footprintOf(kept),
        (f) => f.usageDays > 0,
        "the other learner's usage",
      );
      const goneBefore = await footprintOf(gone);
      assert.deepEqual(goneBefore.conversations, [gone.account.id, gone.account.id]);
      assert.deepEqual(goneBefore.messages, [4, 2]);
      assert.deepEqual(goneBefore.grades, gone.gradeIds);
      assert.deepEqual(goneBefore.progress, [{ moduleId, attempts: 2 }]);
      assert.equal(goneBefore.reviewCards, 1, 'one card for the bank question answered twice');
      assert.deepEqual(goneBefore.sessions, [gone.account.id, gone.account.id]);

      const deleted = await t.http.delete(`/api/admin/users/${gone.account.id}`).set(bearer(admin));
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');

      assert.deepEqual(await footprintOf(gone), {
        conversations: [null, null],
        messages: [0, 0],
        grades: [],
        progress: [],
        reviewCards: 0,
        usageDays: 0,
        sessions: [null, null],
      });
      for (const id of gone.gradeIds) assert.equal(await t.app.get(GradesRepository).findById(id), null);
      assert.deepEqual(await footprintOf(kept), keptBefore, 'the other learner keeps everything');

      // Nothing of the deleted learner shows through the API either.
      assert.equal((await t.http.get('/api/users/me').set(bearer(gone.account))).status, 401);
      assert.equal((await t.http.post('/api/auth/login').send({ email: gone.account.email, password: gone.account.password })).status, 401);
      assert.deepEqual((await adminConversations({ user_id: gone.account.id })).items, []);
      const theirGrades = await ok<{ items: unknown[] }>(
        t.http.get('/api/admin/evaluations').query({ user_id: gone.account.id }).set(bearer(admin)),
      );
      assert.deepEqual(theirGrades.items, []);

      // The other learner can still sign in and read all of theirs.
      const again = await login(t.http, kept.account.email, kept.account.password);
      const conversations = await ok<{ items: { id: string; message_count: number }[] }>(
        t.http.get('/api/chat/conversations').set(bearer(again)),
      );
      assert.deepEqual(conversations.items.map((c) => c.id).sort(), [...kept.conversationIds].sort());
      const first = await ok<{ messages: Message[] }>(t.http.get(`/api/chat/conversations/${kept.conversationIds[0]}`).set(bearer(again)));
      assert.equal(first.messages.length, 4);
      const grades = await ok<{ items: { id: string }[] }>(t.http.get('/api/evaluation/grades').set(bearer(again)));
      assert.deepEqual(grades.items.map((g) => g.id).sort(), kept.gradeIds);
      const progress = await ok<{ overall: { attempts: number }; modules: { module_id: string; attempts: number }[] }>(
        t.http.get('/api/evaluation/progress').set(bearer(again)),
      );
      assert.equal(progress.overall.attempts, 2);
      assert.deepEqual(
        progress.modules.map((m) => [m.module_id, m.attempts]),
        [[moduleId, 2]],
      );
      const usage = await ok<{ today: { requests: number; tokens: number } }>(t.http.get('/api/users/me/usage').set(bearer(again)));
      assert.ok(usage.today.requests > 0 && usage.today.tokens > 0);
    });

    it('should refuse to delete an unknown user or oneself', async () => {
      assert.equal((await t.http.delete(`/api/admin/users/${UNKNOWN_ID}`).set(bearer(admin))).status, 404);
      const self = await t.http.delete(`/api/admin/users/${admin.id}`).set(bearer(admin));
      assert.equal(self.status, 409);
      assert.equal(errorCode(self), 'conflict');
    });
  });
});

describe('administration statistics', () => {
  let t: TestApp;
  let admin: Account;
  const h = helpers(() => t.http);
  beforeAll(async () => {
    t = await startTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '1000' } });
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  const stats = () => ok<Stats>(t.http.get('/api/admin/stats').set(bearer(admin)));
  const todayUtc = () => new Date().toISOString().slice(0, 10);

  it('should start from the bootstrap admin alone, with 30 empty days ending today (UTC)', async () => {
    const empty = await stats();
    assert.deepEqual(
      { ...empty, tokens_by_day: undefined },
      {
        users: 1,
        conversations: 0,
        messages: 0,
        grades: 0,
        average_percentage: 0,
        tokens: { prompt: 0, completion: 0, total: 0 },
        tokens_by_day: undefined,
      },
    );
    assert.equal(empty.tokens_by_day.length, 30);
    assert.equal(empty.tokens_by_day.at(-1)!.date, todayUtc());
    for (let i = 1; i < 30; i += 1) {
      assert.equal(
        Date.parse(empty.tokens_by_day[i].date) - Date.parse(empty.tokens_by_day[i - 1].date),
        86_400_000,
        'consecutive days, oldest first',
      );
    }
    assert.ok(empty.tokens_by_day.every((d) => d.prompt === 0 && d.completion === 0 && d.total === 0));
  });

  it('should count users, conversations, messages and grades as they are created, and average the grades', async () => {
    const moduleId = await h.createModule(admin, 'Loops');
    const ann = await register(t.http);
    const bob = await register(t.http);
    assert.equal((await stats()).users, 3);

    const first = await h.chat(ann, { message: 'What does a while loop do?', module_id: moduleId });
    let now = await stats();
    assert.equal(now.conversations, 1);
    assert.equal(now.messages, 2);
    await h.chat(ann, { message: 'Can it run forever?', conversation_id: first.conversation_id });
    await h.chat(bob, { message: 'What is a for loop?' });
    now = await stats();
    assert.equal(now.conversations, 2);
    assert.equal(now.messages, 6);

    const percentages: number[] = [];
    for (const [account, answer] of [
      [ann, 'A while loop repeats its body as long as its condition stays true.'],
      [ann, 'It prints hello.'],
      [bob, 'It repeats its body while the condition is true.'],
    ] as const) {
      percentages.push((await h.grade(account, answer, moduleId)).percentage);
      now = await stats();
      assert.equal(now.grades, percentages.length);
      const mean = percentages.reduce((a, b) => a + b, 0) / percentages.length;
      assert.ok(
        Math.abs(now.average_percentage - mean) < 0.01,
        `average ${now.average_percentage} is the mean of ${percentages.join(', ')}`,
      );
    }
    assert.ok(new Set(percentages).size > 1, 'the grades differ, so the mean is a real check');
    assert.equal(now.users, 3);
  });

  it("should total model tokens, equal to the sum of the last 30 days, with today's use on the last day", async () => {
    const learner = await register(t.http);
    await h.chat(learner, { message: 'What is a loop?' });
    const now = await eventually(stats, (s) => s.tokens.total > 0, 'tokens in the statistics');
    assert.ok(now.tokens.prompt > 0 && now.tokens.completion > 0);
    assert.equal(now.tokens.total, now.tokens.prompt + now.tokens.completion);
    assert.equal(now.tokens_by_day.length, 30);
    const today = now.tokens_by_day.at(-1)!;
    assert.equal(today.date, todayUtc());
    assert.ok(today.total > 0);
    for (const kind of ['prompt', 'completion', 'total'] as const) {
      assert.equal(
        now.tokens_by_day.reduce((sum, d) => sum + d[kind], 0),
        now.tokens[kind],
        `${kind} tokens by day add up to the total`,
      );
    }
    for (const day of now.tokens_by_day) assert.equal(day.total, day.prompt + day.completion);

    // One more chat moves the totals up.
    await h.chat(learner, { message: 'What is a for loop?' });
    const later = await eventually(stats, (s) => s.tokens.total > now.tokens.total, 'more tokens');
    assert.equal(later.tokens_by_day.at(-1)!.total - today.total, later.tokens.total - now.tokens.total);
  });
});
