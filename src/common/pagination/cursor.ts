import { createHmac, timingSafeEqual, KeyObject } from 'node:crypto';
import { ApiError } from '../errors/api-error';

/** The HKDF label of the cursor key (see deriveKey): changing it invalidates every issued cursor. */
export const CURSOR_KEY_PURPOSE = 'list-cursor/v1';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Opaque list cursors: the position (the last id seen) plus an HMAC, so that only cursors the API
 * issued are accepted (API.md: any other cursor is a 400) and clients cannot build their own.
 * `of(list)` binds them to one list: a position means nothing in another (a module's id paging the
 * users list gave a silent, wrong page), so a cursor issued for one list is refused by the others.
 */
export class CursorCodec {
  constructor(
    private readonly key: KeyObject,
    private readonly list = '',
  ) {}

  /** The cursors of one list; `list` names it, with the id of its parent when it has one ('resources:<module id>'). */
  of(list: string): CursorCodec {
    return new CursorCodec(this.key, list);
  }

  encode(position: string): string {
    const payload = Buffer.from(position, 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string | undefined): string | undefined {
    if (cursor === undefined) return undefined;
    const [payload, signature, extra] = cursor.split('.');
    const expected = payload ? this.sign(payload) : '';
    if (
      extra !== undefined ||
      !payload ||
      !signature ||
      signature.length !== expected.length ||
      !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
    ) {
      throw ApiError.validation([{ field: 'cursor', message: 'is not a cursor issued by this API' }]);
    }
    return Buffer.from(payload, 'base64url').toString('utf8');
  }

  /** Builds a page from `limit + 1` rows: the extra row only says whether there is more. */
  page<Row, Item>(rows: Row[], limit: number, positionOf: (row: Row) => string, toItem: (row: Row) => Item): Page<Item> {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toItem), next_cursor: rows.length > limit && last ? this.encode(positionOf(last)) : null };
  }

  private sign(payload: string): string {
    const signed = this.list ? `cursor:${this.list}:${payload}` : `cursor:${payload}`;
    return createHmac('sha256', this.key).update(signed).digest('base64url').slice(0, 22);
  }
}
