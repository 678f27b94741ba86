import { checkEsdbConnection, createEsdbEventStore, EventStoreConnectionError } from './connection';

describe('EventStoreDB connection string', () => {
  it.each([
    '',
    'not a url',
    'http://localhost:2113',
    'esdb://',
    'esdb://localhost:abc',
    'esdb://localhost:2113?tls=maybe',
  ])('refuses %p as malformed, in one line', (connectionString) => {
    let caught: unknown;
    try {
      createEsdbEventStore(connectionString);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventStoreConnectionError);
    const error = caught as EventStoreConnectionError;
    expect(error.reason).toBe('malformed');
    expect(error.message).toMatch(/^EVENTSTORE_CONNECTION_STRING is malformed: /);
    expect(error.message).not.toContain('\n');
  });

  it('accepts a well-formed string without connecting', async () => {
    const store = createEsdbEventStore('esdb+discover://node1:2113,node2:2113,node3:2113?tls=false');
    await store.close();
  });

  it('reports a server that does not answer as unreachable, within the timeout', async () => {
    // Port 1 is closed: the connection is refused at once, no server is involved.
    const store = createEsdbEventStore('esdb://127.0.0.1:1?tls=false');
    const started = Date.now();
    try {
      const check = checkEsdbConnection(store, 3000);
      await expect(check).rejects.toBeInstanceOf(EventStoreConnectionError);
      await expect(check).rejects.toMatchObject({ reason: 'unreachable' });
      await expect(check).rejects.toThrow(/^EventStoreDB did not answer at EVENTSTORE_CONNECTION_STRING: /);
      expect(Date.now() - started).toBeLessThan(3500);
    } finally {
      await store.close();
    }
  });
});
