import { afterAll, beforeAll, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { SystemClock } from '../../src/common/clock';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { StartupMigrations } from '../../src/migrations/startup-migrations';
import { describeEachStore } from '../support/stores';

/** A migration is recorded only once it finished, and a recorded one is not run again, across restarts. */
describeEachStore('StartupMigrations', (harness) => {
  let store: DocumentStore;
  let migrations: StartupMigrations;
  const runs: string[] = [];
  const migration = (name: string, outcome: 'finished' | 'unfinished' | 'fails') => async () => {
    runs.push(name);
    if (outcome === 'fails') throw new Error(`${name} stopped half-way`);
    return outcome === 'finished';
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    store = await harness().open();
    migrations = new StartupMigrations(store, new SystemClock());
  });

  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should record a finished migration and skip it afterwards, also after a restart', async () => {
    assert.equal(await migrations.runOnce('finishes', migration('finishes', 'finished')), true);
    assert.equal(await migrations.isCompleted('finishes'), true);
    assert.equal(await migrations.runOnce('finishes', migration('finishes', 'finished')), false);
    await harness().close(store);
    store = await harness().reopen();
    migrations = new StartupMigrations(store, new SystemClock());
    assert.equal(await migrations.runOnce('finishes', migration('finishes', 'finished')), false);
    assert.deepEqual(runs.splice(0), ['finishes']);
  });

  it('should not record a migration that failed or could not finish, so the next start runs it again', async () => {
    await assert.rejects(migrations.runOnce('fails', migration('fails', 'fails')), /stopped half-way/);
    assert.equal(await migrations.isCompleted('fails'), false);
    assert.equal(await migrations.runOnce('unfinished', migration('unfinished', 'unfinished')), true);
    assert.equal(await migrations.isCompleted('unfinished'), false);
    assert.equal(await migrations.runOnce('fails', migration('fails', 'finished')), true);
    assert.equal(await migrations.runOnce('unfinished', migration('unfinished', 'finished')), true);
    assert.deepEqual(runs.splice(0), ['fails', 'unfinished', 'fails', 'unfinished']);
    assert.equal(await migrations.isCompleted('fails'), true);
    assert.equal(await migrations.isCompleted('unfinished'), true);
  });
});
