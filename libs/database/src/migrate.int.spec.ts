import { createSqlClient } from './create-sql-client';
import { createTestSqlClient, TEST_DATABASE_URL, type TestSqlClient } from './testing';
import { migrate, MigrationChangedError, type Migration } from './migrate';

const migrations: Migration[] = [
  { id: 'test/0001-create', sql: `CREATE TABLE things (id int PRIMARY KEY); CREATE TABLE log (entry text);` },
  { id: 'test/0002-seed', sql: `INSERT INTO things VALUES (1); INSERT INTO log VALUES ('seeded');` },
];

describe.each(['pglite', 'postgres'] as const)('migrate on %s', (dialect) => {
  let test: TestSqlClient;

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'migrate');
  }, 60_000);
  afterAll(() => test.cleanup(), 30_000);
  beforeEach(() => test.client.exec('DROP TABLE IF EXISTS schema_migrations, things, log, extra'));

  it('applies each migration once, in order, and records it', async () => {
    expect(await migrate(test.client, migrations)).toEqual(['test/0001-create', 'test/0002-seed']);
    expect(await migrate(test.client, migrations)).toEqual([]);
    expect(await test.client.query('SELECT entry FROM log')).toEqual([{ entry: 'seeded' }]);
    expect(await test.client.query('SELECT id FROM schema_migrations ORDER BY applied_at, id')).toEqual([
      { id: 'test/0001-create' },
      { id: 'test/0002-seed' },
    ]);
  });

  it('applies only the new migrations of a longer list', async () => {
    await migrate(test.client, migrations.slice(0, 1));
    expect(await migrate(test.client, migrations)).toEqual(['test/0002-seed']);
  });

  it('keeps the migrations before a failing one and rolls the failing one back', async () => {
    const failing: Migration = { id: 'test/0003-broken', sql: `CREATE TABLE extra (id int); SELECT 1/0;` };
    await expect(migrate(test.client, [...migrations, failing])).rejects.toThrow(/division by zero/);
    expect(await test.client.query('SELECT id FROM schema_migrations ORDER BY id')).toEqual([
      { id: 'test/0001-create' },
      { id: 'test/0002-seed' },
    ]);
    expect(await test.client.query(`SELECT to_regclass('extra') AS extra`)).toEqual([{ extra: null }]);
  });

  it('refuses a migration changed after it was applied', async () => {
    await migrate(test.client, migrations);
    const edited = [migrations[0], { ...migrations[1], sql: `INSERT INTO things VALUES (2);` }];
    await expect(migrate(test.client, edited)).rejects.toBeInstanceOf(MigrationChangedError);
  });

  it('refuses a list with the same id twice', async () => {
    await expect(migrate(test.client, [migrations[0], migrations[0]])).rejects.toThrow(/appears twice/);
  });
});

describe('migrate on postgres, several processes at once', () => {
  it('applies each migration exactly once', async () => {
    const first = await createTestSqlClient('postgres', 'migrate_race');
    const others = await Promise.all(
      Array.from({ length: 4 }, () =>
        createSqlClient({ databaseUrl: TEST_DATABASE_URL, schema: first.client.schema }),
      ),
    );
    const slow: Migration[] = [
      {
        id: 'race/0001',
        sql: `CREATE TABLE runs (n int); SELECT pg_sleep(0.1); INSERT INTO runs VALUES (1);`,
      },
      { id: 'race/0002', sql: `INSERT INTO runs VALUES (2);` },
    ];
    try {
      const applied = await Promise.all([first.client, ...others].map((client) => migrate(client, slow)));
      expect(applied.flat().sort()).toEqual(['race/0001', 'race/0002']);
      expect(await first.client.query('SELECT n FROM runs ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await Promise.all(others.map((client) => client.close()));
      await first.cleanup();
    }
  });
});
