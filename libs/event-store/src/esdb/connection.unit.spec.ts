import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEsdbConnection, createEsdbEventStore, EventStoreConnectionError } from './connection';

const ROOT = join(__dirname, '../../../..');

/** Why the adapter refuses `connectionString` (a CA file it names is read at once: any file stands in for it). */
function refusal(connectionString: string): EventStoreConnectionError | undefined {
  try {
    createEsdbEventStore(connectionString.replace(/tlsCAFile=[^&]*/, `tlsCAFile=${__filename}`));
  } catch (error) {
    if (error instanceof EventStoreConnectionError) return error;
    throw error;
  }
  return undefined;
}

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
    const store = createEsdbEventStore(
      'esdb://node1:2113,node2:2113,node3:2113?tls=false&nodePreference=leader',
    );
    await store.close();
  });

  it('review finding 4: refuses throwOnAppendFailure=false, which would take failed appends for stored ones', () => {
    expect(refusal('esdb://node1:2113?tls=false&throwOnAppendFailure=false')).toMatchObject({
      reason: 'malformed',
      message: expect.stringMatching(/throwOnAppendFailure/),
    });
    expect(refusal('esdb://node1:2113?tls=false&ThrowOnAppendFailure=true')).toBeUndefined();
  });

  it('review finding 5: refuses esdb+discover:// with several hosts (this client would use the first only)', () => {
    expect(refusal('esdb+discover://node1:2113,node2:2113,node3:2113?tls=false')).toMatchObject({
      reason: 'malformed',
      message: expect.stringMatching(/every node with esdb:\/\/node1:2113,node2:2113,node3:2113/),
    });
    expect(refusal('esdb+discover://user:pass@node1:2113,node2:2113?tls=true')).toBeDefined();
    expect(refusal('esdb+discover://cluster.example.com:2113?tls=true')).toBeUndefined();
    expect(
      refusal('esdb://node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=/etc/passerelle/ca.crt'),
    ).toBeUndefined();
  });

  it('review finding 5: every connection string the docs and compose files show is accepted and names every node', () => {
    const files = ['README.md', 'docs/deployment.md', 'docker/compose.scale-out.yaml'];
    const shown = files.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/esdb(?:\+discover)?:\/\/[^\s'"`)]+/g)].map(
        (match) => match[0],
      ),
    );
    const complete = shown.filter((connectionString) => !connectionString.endsWith('…'));
    expect(complete.length).toBeGreaterThan(0);
    for (const connectionString of complete) {
      expect([connectionString, refusal(connectionString)?.message]).toEqual([connectionString, undefined]);
    }
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
