import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** A new id in MongoDB ObjectId form, the same in every storage mode (API.md: ids are 24 hex). */
export function newId(): string {
  return new Types.ObjectId().toHexString();
}

/**
 * An id in the same form that cannot be guessed from another one: an ObjectId's last eight bytes
 * are one per-process value and a counter, so the ids a process hands out follow each other.
 * For ids that are a capability on their own (a generated question can be graded by its id):
 * the creation second, then 64 random bits.
 */
export function newRandomId(): string {
  const seconds = Buffer.alloc(4);
  seconds.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0);
  return Buffer.concat([seconds, randomBytes(8)]).toString('hex');
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}
