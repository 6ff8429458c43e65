import assert from 'node:assert/strict';
import type request from 'supertest';
import { freshMongoUri, MONGODB_TEST_URI } from './mongo';
import { Account, bearer, errorCode, login, TestApp, uniqueEmail } from './test-app';

type TestAgent = TestApp['http'];

/** Asserts the status and returns the envelope's `data`. */
export async function ok<T>(response: request.Response | Promise<request.Response>, status = 200): Promise<T> {
  const res = await response;
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body.data as T;
}

/** Asserts the status and the error envelope's code. */
export async function fails(response: request.Response | Promise<request.Response>, status: number, code: string): Promise<void> {
  const res = await response;
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(errorCode(res), code);
}

/** The embedded store always; MongoDB too when MONGODB_URI is set (a database of its own, named after the suite). */
export function stores(database: string): { name: string; env: Record<string, string> }[] {
  return [{ name: 'embedded', env: {} }, ...(MONGODB_TEST_URI ? [{ name: 'mongodb', env: { MONGODB_URI: freshMongoUri(database) } }] : [])];
}

/** A new account of a staff role, created by `admin` through the API and signed in. */
export async function createStaff(http: TestAgent, admin: Account, role: 'instructor' | 'admin'): Promise<Account> {
  const email = uniqueEmail(role);
  await ok(http.post('/api/admin/users').set(bearer(admin)).send({ email, password: 'a-good-password', role }), 201);
  return login(http, email, 'a-good-password');
}
