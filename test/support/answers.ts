import assert from 'node:assert/strict';
import type request from 'supertest';
import { freshMongoUri, MONGODB_TEST_URI } from './mongo';
import { errorCode } from './test-app';

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
