import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ConversationsRepository } from '../../src/chat/conversations.repository';
import { CourseModulesRepository } from '../../src/content/course-modules.repository';
import { ModuleAccessService } from '../../src/courses/module-access.service';
import { freshMongoUri, MONGODB_TEST_URI } from '../support/mongo';
import { Account, bearer, createCourseModule, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * Deletions sent all at once: exactly one answers 204 and leaves one audit entry, the others 404,
 * in both storage modes (the store says how many documents a delete removed, atomically in both).
 */
const MODES: [string, (() => string) | undefined][] = [
  ['embedded store', undefined],
  ...(MONGODB_TEST_URI ? [['MongoDB', () => freshMongoUri('deletes')] as [string, () => string]] : []),
];
const TIMES = 5;

/**
 * A meeting point of `count` callers: each waits until all have come (or a second has passed).
 * Deletions held there after their lookup have all found what they delete before any deletes it,
 * as requests overlapping on a busy server do; a lookup followed at once by the delete otherwise
 * rarely interleaves in a test.
 */
function meetingPoint(count: number): () => Promise<void> {
  const waiting: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length >= count) for (const release of waiting.splice(0)) release();
      else setTimeout(resolve, 1_000);
    });
}

/** Has each answer of `target[method]` wait at `meet` before it is returned. Returns the undo. */
function holdAfter<T extends object>(target: T, method: keyof T & string, meet: () => Promise<void>): () => void {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  const held = async (...args: unknown[]) => {
    const found = await original.apply(target, args);
    await meet();
    return found;
  };
  Object.assign(target, { [method]: held });
  return () => Object.assign(target, { [method]: original });
}

describe.each(MODES)('concurrent deletions (%s)', (_mode, mongodbUri) => {
  let t: TestApp;
  let admin: Account;

  beforeAll(async () => {
    t = await startTestApp({ mongodbUri: mongodbUri?.() });
    admin = await loginAdmin(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  /** Sends the same DELETE TIMES times at once and checks that one is 204 and the rest 404. */
  const deleteAtOnce = async (path: string, account: Account) => {
    const answers = await Promise.all(Array.from({ length: TIMES }, () => t.http.delete(path).set(bearer(account))));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [204, ...Array<number>(TIMES - 1).fill(404)], `${path}: ${statuses.join(', ')}`);
    for (const answer of answers.filter((a) => a.status === 404)) assert.equal(errorCode(answer), 'not_found');
  };

  const auditEntries = async (action: string, targetId: string) => {
    const page = await t.http.get('/api/admin/audit').query({ action, limit: 100 }).set(bearer(admin));
    return (page.body.data.items as { target_id: string }[]).filter((entry) => entry.target_id === targetId).length;
  };

  it('should delete a resource once: one 204, one audit entry, the module counting one resource less', async () => {
    const moduleId = await createCourseModule(t, admin, 'Resources deleted at once', '# Loops\n\nA loop repeats a block of code.');
    const extra = await t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(admin))
      .send({ title: 'Lists', content: 'A list holds items in order.', format: 'text' });
    await deleteAtOnce(`/api/admin/resources/${extra.body.data.id}`, admin);
    assert.equal(await auditEntries('resource.delete', extra.body.data.id), 1);
    const module = await t.http.get(`/api/modules/${moduleId}`).set(bearer(admin));
    assert.equal(module.body.data.resource_count, 1);
  });

  it('should delete a module once: one 204, one audit entry', async () => {
    const moduleId = await createCourseModule(t, admin, 'Module deleted at once', '# Lists\n\nA list holds items in order.');
    const undo = holdAfter(t.app.get(ModuleAccessService), 'findManaged', meetingPoint(TIMES));
    try {
      await deleteAtOnce(`/api/admin/modules/${moduleId}`, admin);
    } finally {
      undo();
    }
    assert.equal(await auditEntries('module.delete', moduleId), 1);
  });

  it("should delete a module once when its course's deletion removes it at the same time: one module.delete entry", async () => {
    const course = await t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: 'Course deleted with its module' });
    const module = await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Its module', course_id: course.body.data.id });
    const meet = meetingPoint(2);
    const undo = [
      holdAfter(t.app.get(ModuleAccessService), 'findManaged', meet),
      holdAfter(t.app.get(CourseModulesRepository), 'listByCourse', meet),
    ];
    try {
      const [courseDeletion, moduleDeletion] = await Promise.all([
        t.http.delete(`/api/admin/courses/${course.body.data.id}`).set(bearer(admin)),
        t.http.delete(`/api/admin/modules/${module.body.data.id}`).set(bearer(admin)),
      ]);
      assert.equal(courseDeletion.status, 204);
      assert.ok([204, 404].includes(moduleDeletion.status), String(moduleDeletion.status));
    } finally {
      for (const release of undo) release();
    }
    assert.equal(await auditEntries('module.delete', module.body.data.id), 1);
  });

  it('should delete a user once: one 204, one audit entry', async () => {
    const user = await register(t.http);
    await deleteAtOnce(`/api/admin/users/${user.id}`, admin);
    assert.equal(await auditEntries('user.delete', user.id), 1);
  });

  it('should delete a conversation once: one 204, the others 404', async () => {
    const user = await register(t.http);
    const chat = await t.http.post('/api/chat').set(bearer(user)).send({ message: 'What is a loop?' });
    assert.equal(chat.status, 200);
    const undo = holdAfter(t.app.get(ConversationsRepository), 'findById', meetingPoint(TIMES));
    try {
      await deleteAtOnce(`/api/chat/conversations/${chat.body.data.conversation_id}`, user);
    } finally {
      undo();
    }
    const list = await t.http.get('/api/chat/conversations').set(bearer(user));
    assert.deepEqual(list.body.data.items, []);
  });
});
