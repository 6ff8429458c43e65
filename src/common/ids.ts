import { Types } from 'mongoose';

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** A new id in MongoDB ObjectId form, the same in every storage mode (API.md: ids are 24 hex). */
export function newId(): string {
  return new Types.ObjectId().toHexString();
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}
