import { afterAll, beforeAll, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { DocumentStore, DuplicateKeyError } from '../../src/infrastructure/persistence/document-store';
import { emailKeyOf, User } from '../../src/users/user';
import { UsersRepository } from '../../src/users/users.repository';
import { describeEachStore } from '../support/stores';

function aUser(overrides: Partial<User> = {}): User {
  const now = new Date();
  const id = newId();
  return {
    id,
    email: `User-${id}@Example.org`,
    emailKey: `user-${id}@example.org`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$fake',
    displayName: null,
    role: 'student',
    locale: null,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describeEachStore('UsersRepository', (harness) => {
  let store: DocumentStore;
  let users: UsersRepository;
  beforeAll(async () => {
    store = await harness().open();
    users = new UsersRepository(store);
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should return what it stored, as a plain object with a string id', async () => {
    const user = aUser({ displayName: 'Ada', locale: 'fr' });
    const created = await users.create(user);
    assert.deepEqual(created, user);
    const found = await users.findById(user.id);
    assert.deepEqual(found, user);
    assert.equal(Object.getPrototypeOf(found), Object.prototype);
    assert.equal(await users.findById(newId()), null);
  });

  it('should find by email key', async () => {
    const user = await users.create(aUser());
    assert.equal((await users.findByEmailKey(user.emailKey))?.id, user.id);
  });

  it('should rekey emails, keeping the old key of an account whose new key another account holds', async () => {
    const address = (name: string) => `${name}-caf\u00e9-${newId()}@example.org`.normalize('NFD');
    // Written before keys were in Unicode form C: the key is the lower-cased email as typed.
    const alone = await users.create(aUser({ email: address('Alone'), emailKey: address('alone') }));
    const twin = address('twin');
    const older = await users.create(aUser({ email: twin, emailKey: twin }));
    const newer = await users.create(aUser({ email: twin.normalize('NFC'), emailKey: twin.normalize('NFC') }));

    const first = await users.rekeyEmails(emailKeyOf);
    assert.ok(first.changed >= 1);
    assert.deepEqual(first.kept, [older.id]);
    assert.equal((await users.findByEmailKey(emailKeyOf(alone.email)))?.id, alone.id);
    assert.equal((await users.findByEmailKey(emailKeyOf(twin)))?.id, newer.id);
    assert.equal((await users.findById(older.id))?.emailKey, twin);

    const again = await users.rekeyEmails(emailKeyOf);
    assert.deepEqual(again, { changed: 0, kept: [older.id] });
  });

  it('should enforce unique emails in the store itself, even under concurrency', async () => {
    const emailKey = `same-${newId()}@example.org`;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => users.create(aUser({ emailKey }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof DuplicateKeyError);
  });

  it('should refuse a role outside the schema', async () => {
    await assert.rejects(users.create(aUser({ role: 'king' as never })));
  });

  it('should update fields and return the document after the change', async () => {
    const user = await users.create(aUser());
    const later = new Date(user.updatedAt.getTime() + 1000);
    const updated = await users.update(user.id, { role: 'instructor', disabled: true, displayName: 'Grace' }, later);
    assert.equal(updated?.role, 'instructor');
    assert.equal(updated?.disabled, true);
    assert.equal(updated?.displayName, 'Grace');
    assert.equal(updated?.updatedAt.getTime(), later.getTime());
    assert.equal(await users.update(newId(), { role: 'admin' }, later), null);
    await assert.rejects(users.update(user.id, { role: 'king' as never }, later));
  });

  it('should list in id order with role and text filters, page by page', async () => {
    const marker = `list${newId()}`;
    const made: User[] = [];
    for (let i = 0; i < 5; i++)
      made.push(await users.create(aUser({ emailKey: `${marker}-${i}@example.org`, role: i % 2 ? 'instructor' : 'student' })));
    const firstPage = await users.list({ q: marker, limit: 2 });
    assert.equal(firstPage.length, 3, 'limit + 1 rows tell that another page exists');
    assert.deepEqual(
      firstPage.slice(0, 2).map((u) => u.id),
      made.slice(0, 2).map((u) => u.id),
    );
    const secondPage = await users.list({ q: marker, limit: 2, afterId: firstPage[1].id });
    assert.deepEqual(
      secondPage.slice(0, 2).map((u) => u.id),
      made.slice(2, 4).map((u) => u.id),
    );
    const instructors = await users.list({ q: marker.toUpperCase(), role: 'instructor', limit: 10 });
    assert.equal(instructors.length, 2);
    assert.equal((await users.list({ q: '(.*)', limit: 10 })).length, 0, 'the text filter is literal, not a pattern');
  });

  it('should delete and count by role', async () => {
    const before = await users.countByRole('admin');
    const admin = await users.create(aUser({ role: 'admin' }));
    assert.equal(await users.countByRole('admin'), before + 1);
    assert.equal(await users.delete(admin.id), true);
    assert.equal(await users.delete(admin.id), false);
    assert.equal(await users.countByRole('admin'), before);
  });

  it('should keep its data across a restart of the store', async () => {
    const user = await users.create(aUser({ displayName: 'Persistent' }));
    const reopened = await harness().reopen();
    try {
      assert.deepEqual(await new UsersRepository(reopened).findById(user.id), user);
    } finally {
      await harness().close(reopened);
    }
  });
});
