import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { MigrationRecord, MigrationSchema } from '../../src/infrastructure/persistence/schemas/migration.schema';
import { UserRecord, UserSchema } from '../../src/infrastructure/persistence/schemas/user.schema';
import { EMAIL_KEY_MIGRATION } from '../../src/users/email-key-migration';
import { bearer, errorCode, login, loginAdmin, register, startTestApp, uniqueEmail } from '../support/test-app';

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

  it('should let an account whose email key predates Unicode normal form C sign in with either form', async () => {
    const first = await startTestApp();
    const [local, domain] = uniqueEmail('zoe').split('@');
    const typed = `${local}-zo\u00eb@${domain}`.normalize('NFD');
    const account = await register(first.http, { email: typed });
    // The key as the version before wrote it (the email lower-cased, not normalised), and that
    // version's data: no record of this migration.
    const store = first.app.get(DocumentStore);
    await store.collection<UserRecord>({ name: 'users', schema: UserSchema }).updateOne({ _id: account.id }, { $set: { emailKey: typed } });
    await store.collection<MigrationRecord>({ name: 'migrations', schema: MigrationSchema }).deleteOne({ _id: EMAIL_KEY_MIGRATION });
    const composed = typed.normalize('NFC');
    assert.equal(
      errorCode(await first.http.post('/api/auth/login').send({ email: composed, password: account.password })),
      'invalid_credentials',
    );
    await first.close({ keepData: true });

    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const signedIn = await login(second.http, composed, account.password);
      assert.equal(signedIn.id, account.id);
      await login(second.http, typed, account.password);
      const taken = await second.http.post('/api/auth/register').send({ email: composed, password: 'long-enough-pw' });
      assert.equal(errorCode(taken), 'email_taken');
    } finally {
      await second.close();
    }
  });
});
