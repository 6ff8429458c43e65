import { afterAll, beforeAll, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Schema } from 'mongoose';
import { newId } from '../../src/common/ids';
import { DocumentCollection, DocumentStore, DuplicateKeyError } from '../../src/infrastructure/persistence/document-store';
import { describeEachStore } from '../support/stores';

interface Thing {
  _id: string;
  name: string;
  group: string;
  rank: number;
  tags: string[];
  seenAt: Date | null;
  code?: string;
}

const ThingSchema = new Schema<Thing>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, unique: true },
    group: { type: String, required: true },
    rank: { type: Number, required: true, min: 0 },
    tags: { type: [String], default: [] },
    seenAt: { type: Date, default: null },
    code: { type: String, required: false, index: { unique: true, sparse: true } },
  },
  { versionKey: false, minimize: false },
);
ThingSchema.index({ group: 1, rank: 1 }, { unique: true });

const thing = (overrides: Partial<Thing> = {}): Thing => ({
  _id: newId(),
  name: `n-${newId()}`,
  group: `g-${newId()}`,
  rank: 0,
  tags: [],
  seenAt: null,
  ...overrides,
});

/**
 * The operations every repository relies on, run against each storage adapter: if both pass, a
 * repository written once over DocumentCollection behaves the same in both modes.
 */
describeEachStore('DocumentCollection', (harness) => {
  let store: DocumentStore;
  let things: DocumentCollection<Thing>;
  beforeAll(async () => {
    store = await harness().open();
    things = store.collection<Thing>({ name: 'contract_things', schema: ThingSchema });
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should apply schema defaults on insert and return plain objects', async () => {
    const inserted = await things.insertOne({ _id: newId(), name: `d-${newId()}`, group: 'defaults', rank: 1 } as Thing);
    assert.deepEqual(inserted.tags, []);
    assert.equal(inserted.seenAt, null);
    const found = await things.findOne({ _id: inserted._id });
    assert.equal(Object.getPrototypeOf(found), Object.prototype);
    assert.equal(typeof found!._id, 'string');
  });

  it('should refuse documents the schema refuses', async () => {
    await assert.rejects(things.insertOne(thing({ rank: -1 })));
    await assert.rejects(things.insertOne({ _id: newId(), group: 'x', rank: 1 } as Thing));
  });

  it('should enforce unique, compound unique and sparse unique indexes', async () => {
    const first = await things.insertOne(thing({ group: 'unique', rank: 1, code: `c-${newId()}` }));
    await assert.rejects(things.insertOne(thing({ name: first.name })), DuplicateKeyError);
    await assert.rejects(things.insertOne(thing({ group: 'unique', rank: 1 })), DuplicateKeyError);
    await assert.rejects(things.insertOne(thing({ code: first.code })), DuplicateKeyError);
    // Documents without the sparse field never collide with each other.
    await things.insertOne(thing());
    await things.insertOne(thing());
  });

  it('should insert many documents in one write, with defaults, and none when one is refused', async () => {
    const group = `many-${newId()}`;
    await things.insertMany([
      thing({ group, rank: 1 }),
      thing({ group, rank: 2 }),
      { _id: newId(), name: `d-${newId()}`, group, rank: 3 } as Thing,
    ]);
    const found = await things.find({ group }, { sort: { rank: 1 } });
    assert.deepEqual(
      found.map((t) => t.rank),
      [1, 2, 3],
    );
    assert.deepEqual(found[2]!.tags, []);
    await assert.rejects(
      things.insertMany([thing({ group: `${group}-refused`, rank: 1 }), thing({ group: `${group}-refused`, rank: -1 })]),
    );
    assert.equal(await things.count({ group: `${group}-refused` }), 0);
    await things.insertMany([]);
  });

  it('should apply a batch of updates, each to its own document', async () => {
    const group = `each-${newId()}`;
    const [a, b] = [thing({ group, rank: 1 }), thing({ group, rank: 2 })];
    await things.insertMany([a, b]);
    const changed = await things.updateEach([
      { filter: { _id: a._id }, update: { $set: { rank: 10 } } },
      { filter: { _id: b._id }, update: { $set: { rank: 20 } } },
      { filter: { _id: newId() }, update: { $set: { rank: 30 } } },
    ]);
    assert.equal(changed, 2);
    assert.deepEqual(
      (await things.find({ group }, { sort: { rank: 1 } })).map((t) => t.rank),
      [10, 20],
    );
    assert.equal(await things.updateEach([]), 0);
  });

  it('should filter with comparison, set, negation, regex and $or operators', async () => {
    const group = `ops-${newId()}`;
    for (let rank = 1; rank <= 5; rank++) await things.insertOne(thing({ group, rank, name: `${group}-Name-${rank}` }));
    assert.equal(await things.count({ group, rank: { $gt: 2 } }), 3);
    assert.equal(await things.count({ group, rank: { $gte: 2, $lte: 3 } }), 2);
    assert.equal(await things.count({ group, rank: { $lt: 2 } }), 1);
    assert.equal(await things.count({ group, rank: { $in: [1, 5, 9] } }), 2);
    assert.equal(await things.count({ group, rank: { $ne: 3 } }), 4);
    assert.equal(await things.count({ group, name: /name-4$/i }), 1);
    assert.equal(await things.count({ group, $or: [{ rank: 1 }, { rank: 2 }] }), 2);
  });

  it('should sort, skip and limit', async () => {
    const group = `sort-${newId()}`;
    for (const rank of [3, 1, 2]) await things.insertOne(thing({ group, rank }));
    assert.deepEqual(
      (await things.find({ group }, { sort: { rank: -1 } })).map((t) => t.rank),
      [3, 2, 1],
    );
    assert.deepEqual(
      (await things.find({ group }, { sort: { rank: 1 }, skip: 1, limit: 1 })).map((t) => t.rank),
      [2],
    );
  });

  it('should return the document after an update, and null when nothing matched', async () => {
    const t = await things.insertOne(thing({ rank: 1 }));
    const updated = await things.updateOne({ _id: t._id }, { $set: { name: `renamed-${t._id}` }, $inc: { rank: 2 } });
    assert.equal(updated?.rank, 3);
    assert.equal(updated?.name, `renamed-${t._id}`);
    assert.equal(await things.updateOne({ _id: newId() }, { $set: { rank: 1 } }), null);
    await assert.rejects(things.updateOne({ _id: t._id }, { $set: { rank: -5 } }));
  });

  it('should push with a bounded history and keep the latest date with $max', async () => {
    const t = await things.insertOne(thing());
    for (let i = 0; i < 5; i++) await things.updateOne({ _id: t._id }, { $push: { tags: { $each: [`t${i}`], $slice: -3 } } });
    const early = new Date('2026-01-01T00:00:00Z');
    const late = new Date('2026-06-01T00:00:00Z');
    await things.updateOne({ _id: t._id }, { $max: { seenAt: late } });
    const after = await things.updateOne({ _id: t._id }, { $max: { seenAt: early } });
    assert.deepEqual(after?.tags, ['t2', 't3', 't4']);
    assert.equal(after?.seenAt?.toISOString(), late.toISOString());
  });

  it('should count every one of 30 concurrent increments and create an upserted document once', async () => {
    const id = newId();
    await Promise.all(
      Array.from({ length: 30 }, () =>
        things.updateOne({ _id: id }, { $set: { name: `up-${id}`, group: `up-${id}` }, $inc: { rank: 1 } }, { upsert: true }),
      ),
    );
    assert.equal((await things.findOne({ _id: id }))?.rank, 30);
    assert.equal(await things.count({ group: `up-${id}` }), 1);
  });

  it('should let exactly one of concurrent conditional updates win', async () => {
    const t = await things.insertOne(thing({ rank: 0 }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => things.updateOne({ _id: t._id, rank: 0 }, { $set: { rank: i + 1 } })),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('should update and delete many', async () => {
    const group = `many-${newId()}`;
    for (let rank = 0; rank < 4; rank++) await things.insertOne(thing({ group, rank }));
    assert.equal(await things.updateMany({ group, rank: { $gte: 2 } }, { $set: { tags: ['hot'] } }), 2);
    assert.equal(await things.count({ group, tags: 'hot' }), 2);
    assert.equal(await things.deleteOne({ group, rank: 0 }), true);
    assert.equal(await things.deleteMany({ group }), 3);
    assert.equal(await things.deleteOne({ group }), false);
  });

  it('should count, add up and average per group in key order, as MongoDB computes them', async () => {
    const prefix = `grp-${newId()}`;
    const rows: [string, number, string | undefined][] = [
      ['b', 1, 'x'],
      ['a', 4, undefined],
      ['b', 5, 'y'],
      ['a', 0, 'x2'],
      ['c', 7, undefined],
    ];
    for (const [suffix, rank, code] of rows)
      await things.insertOne(thing({ group: `${prefix}-${suffix}`, rank, ...(code ? { code: `${prefix}-${code}` } : {}) }));
    const mine = { group: new RegExp(`^${prefix}-`) };

    const byGroup = await things.group(mine, { by: 'group', sum: ['rank'], average: ['rank'] });
    expect(byGroup).toEqual([
      { key: `${prefix}-a`, count: 2, sums: { rank: 4 }, averages: { rank: 2 } },
      { key: `${prefix}-b`, count: 2, sums: { rank: 6 }, averages: { rank: 3 } },
      { key: `${prefix}-c`, count: 1, sums: { rank: 7 }, averages: { rank: 7 } },
    ]);
    // One group of every match; a field without numbers adds up to 0 and has no average.
    expect(await things.group(mine, { sum: ['rank', 'name'], average: ['name'] })).toEqual([
      { key: null, count: 5, sums: { rank: 17, name: 0 }, averages: { name: null } },
    ]);
    // Documents without the field form the null group, which sorts first.
    const byCode = await things.group(mine, { by: 'code' });
    expect(byCode.map((row) => [row.key, row.count])).toEqual([
      [null, 2],
      [`${prefix}-x`, 1],
      [`${prefix}-x2`, 1],
      [`${prefix}-y`, 1],
    ]);
    expect(await things.group({ group: `${prefix}-none` }, { sum: ['rank'] })).toEqual([]);
  });

  it('should refuse to group by anything but a plain field name', async () => {
    await expect(things.group({}, { by: '$name' })).rejects.toThrow(/plain field name/);
    await expect(things.group({}, { sum: ['tags.0'] })).rejects.toThrow(/plain field name/);
  });
});
