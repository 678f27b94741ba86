import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, startService } from './support/built-app';

/** EVENTSTORE_CONNECTION_STRING selects EventStoreDB; a bad one stops the boot with one clear line. */
describe('event store selection at start-up', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passerelle-esdb-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['malformed', 'not-a-connection-string://???', /EVENTSTORE_CONNECTION_STRING/],
    ['unreachable', 'esdb://127.0.0.1:1?tls=false', /did not answer/],
  ])(
    'exits non-zero with a one-line message when the connection string is %s',
    async (_, connection, message) => {
      const result = await exited(
        startService({
          DATA_DIR: dataDir,
          PORT: '0',
          DEMO_DATA: 'false',
          EVENTSTORE_CONNECTION_STRING: connection,
        }),
      );
      expect(result.code).toBe(3);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Event store: /);
      expect(lines[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
