import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { readCheckpoint, readCheckpoints, readModelMigrations } from './catalog';

describe.each(['pglite', 'postgres'] as const)('read-model checkpoints on %s', (dialect) => {
  let db: TestSqlClient;
  beforeEach(async () => {
    db = await createTestSqlClient(dialect, 'rm_catalog');
  });
  afterEach(() => db.cleanup());

  it('keeps every position of a store created before positions moved to processor_checkpoints', async () => {
    // The previous layout: positions in the read models' own table.
    await migrate(
      db.client,
      readModelMigrations.filter((m) => m.id === 'read-models/0001-projection-checkpoints'),
    );
    await db.client.exec(`INSERT INTO projection_checkpoints (name, position, version, generation) VALUES
      ('partnerships', 1200, 4, 3), ('activity', 1180, 2, 1), ('partnerships:rebuild', 300, 5, 4)`);

    await migrate(db.client, readModelMigrations);

    const live = await readCheckpoints(db.client, ['partnerships', 'activity']);
    expect(live.get('partnerships')).toEqual({
      name: 'partnerships',
      position: 1200,
      version: 4,
      generation: 3,
    });
    expect(live.get('activity')).toEqual({ name: 'activity', position: 1180, version: 2, generation: 1 });
    expect(await readCheckpoint(db.client, 'partnerships:rebuild')).toEqual({
      name: 'partnerships:rebuild',
      position: 300,
      version: 5,
      generation: 4,
    });
    const columns = await db.client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'projection_checkpoints' ORDER BY column_name`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['generation', 'name', 'updated_at', 'version']);
  });
});
