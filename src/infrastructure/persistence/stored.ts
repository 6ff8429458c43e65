import { StoredDocument } from './document-store';

/** Stored documents carry `_id`; domain objects carry `id`. Nothing else differs. */
export type Domain<T extends StoredDocument> = Omit<T, '_id'> & { id: string };

export function toDomain<T extends StoredDocument>(stored: T): Domain<T> {
  const { _id, ...rest } = stored;
  return { id: _id, ...rest };
}

export function toStored<T extends StoredDocument>(domain: Domain<T>): T {
  const { id, ...rest } = domain;
  return { _id: id, ...rest } as unknown as T;
}

/** Escapes user text for use inside a regular expression filter. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
