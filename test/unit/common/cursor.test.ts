import { createSecretKey } from 'node:crypto';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/common/errors/api-error';
import { CursorCodec } from '../../../src/common/pagination/cursor';

const codec = new CursorCodec(createSecretKey(Buffer.from('cursor-secret-cursor-secret-1234')));

describe('CursorCodec', () => {
  it('should read back the position it encoded', () => {
    assert.equal(codec.decode(codec.encode('665f1c2e8f1b2a3c4d5e6f70')), '665f1c2e8f1b2a3c4d5e6f70');
    assert.equal(codec.decode(undefined), undefined);
  });

  it('should refuse cursors it did not issue with a validation error', () => {
    const issued = codec.encode('abc');
    const forged = `${Buffer.from('zzz').toString('base64url')}.${issued.split('.')[1]}`;
    for (const bad of ['', 'abc', forged, `${issued}.x`, issued.slice(0, -1)]) {
      assert.throws(
        () => codec.decode(bad),
        (error: unknown) => error instanceof ApiError && error.code === 'validation_failed',
        bad,
      );
    }
  });

  it('should give a next cursor only when there is another page', () => {
    const rows = [{ id: '1' }, { id: '2' }, { id: '3' }];
    const full = codec.page(
      rows,
      2,
      (r) => r.id,
      (r) => r.id,
    );
    assert.deepEqual(full.items, ['1', '2']);
    assert.equal(codec.decode(full.next_cursor!), '2');
    assert.equal(
      codec.page(
        rows,
        3,
        (r) => r.id,
        (r) => r.id,
      ).next_cursor,
      null,
    );
  });
});
