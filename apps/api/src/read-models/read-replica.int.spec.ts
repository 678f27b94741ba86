import { createSqlClient, migrate, type SqlClient } from '@passerelle/database';
import { processorCheckpointMigrations } from '@passerelle/event-store';
import { ReplicaRouting } from './read-replica';

/** Two databases standing for a primary and a replica that has replayed less: each says which it is. */
describe('ReplicaRouting', () => {
  let primary: SqlClient;
  let replica: SqlClient;

  async function database(name: string, checkpoint: number): Promise<SqlClient> {
    const client = await createSqlClient({ dataDir: 'memory://', schema: 'public' });
    await client.exec(`
      CREATE TABLE which (name text NOT NULL);`);
    // The checkpoints' real table, so the routing reads what the processors write.
    await migrate(client, processorCheckpointMigrations);
    await client.query('INSERT INTO which (name) VALUES ($1)', [name]);
    await client.query(
      `INSERT INTO processor_checkpoints (name, position) VALUES ('organizations', $1), ('partnerships', $1)`,
      [checkpoint],
    );
    return client;
  }

  beforeAll(async () => {
    primary = await database('primary', 20);
    replica = await database('replica', 10);
  });
  afterAll(async () => {
    await primary.close();
    await replica.close();
  });

  const which = async (routing: ReplicaRouting, minPosition?: number) =>
    routing.readingAt(minPosition, async () => {
      const [row] = await routing.client.query<{ name: string }>('SELECT name FROM which');
      return row!.name;
    });

  it('reads on the replica, and with a minPosition it has replayed', async () => {
    const routing = new ReplicaRouting(primary, replica, ['organizations', 'partnerships'], 100);
    expect(await which(routing)).toBe('replica');
    expect(await which(routing, 10)).toBe('replica');
  });

  it('reads on the primary when the replica has not replayed minPosition within the grace', async () => {
    const routing = new ReplicaRouting(primary, replica, ['organizations', 'partnerships'], 100);
    expect(await which(routing, 15)).toBe('primary');
  });

  it('sees the replica catch up during the grace', async () => {
    const routing = new ReplicaRouting(primary, replica, ['organizations', 'partnerships'], 5000);
    const reading = which(routing, 12);
    await replica.query('UPDATE processor_checkpoints SET position = 12');
    expect(await reading).toBe('replica');
    await replica.query('UPDATE processor_checkpoints SET position = 10');
  });

  it('keeps writes, transactions and requests outside a read on the primary', async () => {
    const routing = new ReplicaRouting(primary, replica, ['organizations'], 100);
    const [outside] = await routing.client.query<{ name: string }>('SELECT name FROM which');
    expect(outside!.name).toBe('primary');
    const inTransaction = await routing.readingAt(undefined, () =>
      routing.client.transaction(
        async (tx) => (await tx.query<{ name: string }>('SELECT name FROM which'))[0]!.name,
      ),
    );
    expect(inTransaction).toBe('primary');
  });

  it('reads everything on the primary without a replica', async () => {
    const routing = new ReplicaRouting(primary, undefined, ['organizations'], 100);
    expect(await which(routing)).toBe('primary');
    expect(await which(routing, 15)).toBe('primary');
  });
});
