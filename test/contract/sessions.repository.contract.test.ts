import { afterAll, beforeAll, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Session, SessionsRepository } from '../../src/auth/sessions.repository';
import { newId } from '../../src/common/ids';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { describeEachStore } from '../support/stores';

function aSession(overrides: Partial<Session> = {}): Session {
  const now = new Date();
  return {
    id: newId(),
    userId: newId(),
    tokenHash: `hash-${newId()}`,
    spentHashes: [],
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60_000),
    revokedAt: null,
    ...overrides,
  };
}

describeEachStore('SessionsRepository', (harness) => {
  let store: DocumentStore;
  let sessions: SessionsRepository;
  beforeAll(async () => {
    store = await harness().open();
    sessions = new SessionsRepository(store);
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should rotate the current token and remember the spent one', async () => {
    const session = await sessions.create(aSession());
    const later = new Date(session.expiresAt.getTime() + 60_000);
    const rotated = await sessions.rotate(session.id, session.tokenHash, 'next', later, new Date());
    assert.equal(rotated?.tokenHash, 'next');
    assert.deepEqual(rotated?.spentHashes, [session.tokenHash]);
    assert.equal(rotated?.expiresAt.getTime(), later.getTime());
  });

  it('should let exactly one of concurrent rotations with the same token win', async () => {
    const session = await sessions.create(aSession());
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => sessions.rotate(session.id, session.tokenHash, `next-${i}`, session.expiresAt, new Date())),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('should not rotate a revoked or expired session', async () => {
    const revoked = await sessions.create(aSession({ revokedAt: new Date() }));
    assert.equal(await sessions.rotate(revoked.id, revoked.tokenHash, 'x', new Date(), new Date()), null);
    const expired = await sessions.create(aSession({ expiresAt: new Date(Date.now() - 1000) }));
    assert.equal(await sessions.rotate(expired.id, expired.tokenHash, 'x', new Date(), new Date()), null);
  });

  it('should keep a bounded history of spent tokens', async () => {
    let session = await sessions.create(aSession());
    for (let i = 0; i < 55; i++) session = (await sessions.rotate(session.id, session.tokenHash, `t${i}`, session.expiresAt, new Date()))!;
    assert.equal(session.spentHashes.length, 50);
    assert.equal(session.spentHashes[49], 't53');
  });

  it('should revoke all sessions of a user but one, and delete them all', async () => {
    const userId = newId();
    const kept = await sessions.create(aSession({ userId }));
    const others = [await sessions.create(aSession({ userId })), await sessions.create(aSession({ userId }))];
    const stranger = await sessions.create(aSession());
    const revoked = await sessions.revokeAllForUser(userId, new Date(), kept.id);
    assert.deepEqual(revoked.sort(), others.map((s) => s.id).sort());
    assert.equal((await sessions.findById(kept.id))?.revokedAt, null);
    assert.ok((await sessions.findById(others[0].id))?.revokedAt instanceof Date);
    assert.equal((await sessions.findById(stranger.id))?.revokedAt, null);
    assert.equal(await sessions.deleteForUser(userId), 3);
    assert.equal(await sessions.findById(kept.id), null);
  });
});
