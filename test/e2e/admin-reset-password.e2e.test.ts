import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { bearer, loginAdmin, register, startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'admin-reset-password.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built script, as an operator runs it, on the data of a stopped app (the embedded store is one process's). */
function resetPassword(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        ADMIN_EMAIL: TEST_ADMIN.email,
        ADMIN_PASSWORD: TEST_ADMIN.password,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run admin:reset-password', () => {
  let dataDir: string;
  let t: TestApp | undefined;
  let email: string;
  let oldPassword: string;
  let oldRefreshToken: string;
  let userId: string;

  beforeAll(async () => {
    const first = await startTestApp();
    dataDir = first.dataDir;
    const account = await register(first.http);
    ({ email, password: oldPassword, refreshToken: oldRefreshToken, id: userId } = account);
    await first.close({ keepData: true });
  });
  afterAll(async () => {
    await t?.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should refuse an unknown email in one line, with a non-zero exit and no change', async () => {
    const run = await resetPassword(dataDir, ['nobody@example.org']);
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr.trim(), 'No account has the email nobody@example.org.');
    assert.equal(run.stdout, '');
  });

  it('should set a generated password printed once, end every session and leave an audit entry', async () => {
    const run = await resetPassword(dataDir, [email.toUpperCase()]);
    assert.equal(run.code, 0, run.stderr);
    const printed = /New password \(shown once\): (\S+)\n/.exec(run.stdout)?.[1];
    assert.ok(printed && printed.length >= 16, run.stdout);
    assert.equal(run.stdout.split(printed).length, 2, 'printed once');

    t = await startTestApp({ dataDir });
    assert.equal((await t.http.post('/api/auth/login').send({ email, password: oldPassword })).status, 401);
    assert.equal((await t.http.post('/api/auth/refresh').send({ refresh_token: oldRefreshToken })).status, 401);
    assert.equal((await t.http.post('/api/auth/login').send({ email, password: printed })).status, 200);
    const admin = await loginAdmin(t.http);
    const entries = (await t.http.get('/api/admin/audit').query({ action: 'user.password_reset' }).set(bearer(admin))).body.data.items;
    assert.equal(entries.length, 1);
    assert.equal(entries[0].target_id, userId);
    assert.equal(entries[0].actor_id, 'console');
    await t.close({ keepData: true });
    t = undefined;
  });

  it('should take the new password from RESET_PASSWORD without printing it', async () => {
    const tooShort = await resetPassword(dataDir, [email], { RESET_PASSWORD: 'short' });
    assert.notEqual(tooShort.code, 0);
    assert.match(tooShort.stderr, /8 to 128 characters/);
    const run = await resetPassword(dataDir, [email], { RESET_PASSWORD: 'chosen-by-automation-42' });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /chosen-by-automation-42|New password/);
    t = await startTestApp({ dataDir });
    assert.equal((await t.http.post('/api/auth/login').send({ email, password: 'chosen-by-automation-42' })).status, 200);
  });
});
