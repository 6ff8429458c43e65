import { afterAll, beforeAll, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { CourseModule, CourseModulesRepository } from '../../src/content/course-modules.repository';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { CourseModuleRecord, CourseModuleSchema } from '../../src/infrastructure/persistence/schemas/course-module.schema';
import { describeEachStore } from '../support/stores';

function aModule(overrides: Partial<CourseModule> = {}): CourseModule {
  const now = new Date();
  return {
    id: newId(),
    title: 'Loops',
    description: '',
    resourceCount: 0,
    courseId: null,
    ownerId: newId(),
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const sorted = (ids: string[]) => [...ids].sort();

describeEachStore('CourseModulesRepository scopes', (harness) => {
  let store: DocumentStore;
  let modules: CourseModulesRepository;
  const courseA = newId();
  const courseB = newId();
  const teacher = newId();
  let open: CourseModule;
  let owned: CourseModule;
  let inA: CourseModule;
  let inB: CourseModule;
  let platform: CourseModule;
  /** Stored as the first release stored it: no courseId, no ownerId. */
  let legacyId: string;

  beforeAll(async () => {
    store = await harness().open();
    modules = new CourseModulesRepository(store);
    open = await modules.create(aModule());
    owned = await modules.create(aModule({ ownerId: teacher }));
    inA = await modules.create(aModule({ courseId: courseA, ownerId: teacher }));
    inB = await modules.create(aModule({ courseId: courseB }));
    platform = await modules.create(aModule({ ownerId: null, seedKey: 'demo:x' }));
    legacyId = (await modules.create(aModule())).id;
    const raw = store.collection<CourseModuleRecord>({ name: 'modules', schema: CourseModuleSchema });
    await raw.updateOne({ _id: legacyId }, { $unset: { courseId: '', ownerId: '' } });
    const stored = await raw.findOne({ _id: legacyId });
    assert.ok(stored && !('courseId' in stored) && !('ownerId' in stored), 'the legacy shape is really stored');
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should read a first-release module as open and unowned', async () => {
    const legacy = await modules.findById(legacyId);
    assert.equal(legacy?.courseId, null);
    assert.equal(legacy?.ownerId, null);
  });

  it("should list the open modules (first-release ones included) and the reader's courses' modules", async () => {
    const openIds = [open.id, owned.id, platform.id, legacyId];
    assert.deepEqual(sorted(await modules.idsIn({ all: false, courseIds: [] })), sorted(openIds));
    assert.deepEqual(sorted(await modules.idsIn({ all: false, courseIds: [courseA] })), sorted([...openIds, inA.id]));
    assert.deepEqual(sorted(await modules.idsIn({ all: true, courseIds: [] })), sorted([...openIds, inA.id, inB.id]));
    const page = await modules.list({ all: false, courseIds: [courseB] }, undefined, 100);
    assert.deepEqual(
      page.map((m) => m.id),
      sorted([...openIds, inB.id]),
      'oldest first',
    );
  });

  it('should narrow to one course, or to the open modules, within the reach only', async () => {
    assert.deepEqual(
      (await modules.list({ all: false, courseIds: [courseA], courseId: courseA }, undefined, 100)).map((m) => m.id),
      [inA.id],
    );
    assert.deepEqual(await modules.list({ all: false, courseIds: [courseA], courseId: courseB }, undefined, 100), []);
    assert.deepEqual(
      (await modules.list({ all: true, courseIds: [], courseId: courseB }, undefined, 100)).map((m) => m.id),
      [inB.id],
    );
    assert.equal((await modules.list({ all: true, courseIds: [], courseId: null }, undefined, 100)).length, 4);
  });

  it("should name the modules of a teacher's courses and the open modules they own", async () => {
    assert.deepEqual(sorted(await modules.idsManaged([courseA], teacher)), sorted([owned.id, inA.id]));
    assert.deepEqual(await modules.idsManaged([], newId()), []);
    assert.equal(await modules.countByCourse(courseA), 1);
  });

  it('should give first-release modules an owner once, leaving every other module as it is', async () => {
    const admin = newId();
    assert.equal(await modules.adoptLegacy(admin), 1);
    assert.equal(await modules.adoptLegacy(newId()), 0, 'idempotent');
    const legacy = await modules.findById(legacyId);
    assert.equal(legacy?.ownerId, admin);
    assert.equal(legacy?.courseId, null);
    assert.equal((await modules.findById(platform.id))?.ownerId, null, 'the demo course stays the platform’s');
    assert.equal((await modules.findById(inB.id))?.courseId, courseB);
  });
});
