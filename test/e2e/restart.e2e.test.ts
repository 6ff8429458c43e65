import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, login, loginAdmin, register, startTestApp } from '../support/test-app';

describe('embedded store across restarts', () => {
  it('should keep accounts, profile changes and sessions after the app is closed and booted again', async () => {
    const first = await startTestApp();
    const account = await register(first.http, { display_name: 'Before restart' });
    await first.http.patch('/api/users/me').set(bearer(account)).send({ locale: 'en' });
    const admin = await loginAdmin(first.http);
    await first.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ role: 'instructor' });
    await first.close({ keepData: true });

    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const again = await login(second.http, account.email, account.password);
      const me = await second.http.get('/api/users/me').set(bearer(again));
      assert.equal(me.body.data.display_name, 'Before restart');
      assert.equal(me.body.data.locale, 'en');
      assert.equal(me.body.data.role, 'instructor');
      // The refresh token issued before the restart still rotates.
      const refreshed = await second.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      assert.equal(refreshed.status, 200);
      // The admin bootstrap is idempotent: still one admin with that email.
      const admins = await second.http
        .get('/api/admin/users')
        .query({ role: 'admin' })
        .set(bearer(await loginAdmin(second.http)));
      assert.equal(admins.body.data.items.length, 1);
    } finally {
      await second.close();
    }
  });
});
