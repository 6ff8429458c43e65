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

/** Filters of the newest-first logs (conversations, grades, audit): a time window and a page position. */
export interface LogWindow {
  from?: Date;
  to?: Date;
  /** Only entries older than this id (the previous page's last). */
  beforeId?: string;
}

/** A log query: the given fields must match exactly (unset ones are ignored), within the window. */
export function logQuery(exact: Record<string, string | undefined>, window: LogWindow): Record<string, unknown> {
  const query: Record<string, unknown> = Object.fromEntries(Object.entries(exact).filter(([, value]) => value !== undefined));
  if (window.from || window.to)
    query.createdAt = { ...(window.from ? { $gte: window.from } : {}), ...(window.to ? { $lte: window.to } : {}) };
  if (window.beforeId) query._id = { $lt: window.beforeId };
  return query;
}
