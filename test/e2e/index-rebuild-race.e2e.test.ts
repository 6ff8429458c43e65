import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { REBUILD_JOB } from '../../src/index/index-rebuild.service';
import { DistributedLock } from '../../src/infrastructure/cache/distributed-lock';
import { Account, bearer, loginAdmin, startTestApp, TestApp } from '../support/test-app';

/** Found by the fuzz test: a rebuild asked for while the previous one is letting go of its lock. */
describe('starting a rebuild as the previous one finishes', () => {
  let t: TestApp;
  let admin: Account;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should start a new rebuild once the lock is free, not fail because no job is active', async () => {
    // The state between a finished job's last update and its lock's release, held for longer.
    const held = await t.app.get(DistributedLock).acquire(REBUILD_JOB);
    assert.ok(held);
    setTimeout(() => void held.release(), 300);
    const response = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(response.status, 202, JSON.stringify(response.body));
    assert.ok(['queued', 'running', 'succeeded'].includes(response.body.data.status));
  });
});
