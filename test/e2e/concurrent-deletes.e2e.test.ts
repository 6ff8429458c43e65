import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ConversationsRepository } from '../../src/chat/conversations.repository';
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
 * Holds each answer of `target[method]` until TIMES calls have one (or a second has passed), then
 * lets them all go on: every deletion has found the resource before any deletes it, as requests
 * overlapping on a busy server do. A lookup followed at once by the delete otherwise rarely
 * interleaves in a test. Returns the undo.
 */
function lookUpTogether<T extends object>(target: T, method: keyof T & string): () => void {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  const held: (() => void)[] = [];
  const together = async (...args: unknown[]) => {
    const found = await original.apply(target, args);
    await new Promise<void>((resolve) => {
      held.push(resolve);
      if (held.length >= TIMES) for (const release of held.splice(0)) release();
      else setTimeout(resolve, 1_000);
    });
    return found;
  };
  Object.assign(target, { [method]: together });
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
    const undo = lookUpTogether(t.app.get(ModuleAccessService), 'findManaged');
    try {
      await deleteAtOnce(`/api/admin/modules/${moduleId}`, admin);
    } finally {
      undo();
    }
    assert.equal(await auditEntries('module.delete', moduleId), 1);
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
    const undo = lookUpTogether(t.app.get(ConversationsRepository), 'findById');
    try {
      await deleteAtOnce(`/api/chat/conversations/${chat.body.data.conversation_id}`, user);
    } finally {
      undo();
    }
    const list = await t.http.get('/api/chat/conversations').set(bearer(user));
    assert.deepEqual(list.body.data.items, []);
  });
});
