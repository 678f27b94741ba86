/**
 * Rotates DATA_KEY and SIGNING_KEY while the service keeps serving (docs/deployment.md, "Rotating keys").
 *
 *   DATA_KEY=<new> DATA_KEY_PREVIOUS=<old> SIGNING_KEY=<new> SIGNING_KEY_PREVIOUS=<old> npm run rotate-keys
 *   npm run rotate-keys -- --batch-size 1000
 *
 * With DATABASE_URL: moves the database from the old keys to the new ones (each key whose *_PREVIOUS is
 * set), after every process has been restarted holding both. Batched and checkpointed in the database:
 * interrupted (Ctrl-C, a crash), it resumes where it stopped when run again; on a completed rotation it
 * does nothing. On the embedded default, whose keys are generated into DATA_DIR/keys: stages new key
 * files there; the service completes the rotation when it next starts.
 */
import { loadConfig } from '@passerelle/config';
import { migrateAll, openSqlClient } from '@passerelle/application/composition';
import {
  KEY_FILES,
  loadDataKeyRing,
  loadSigningKeyRing,
  RotationInterrupted,
  rotateKeys,
  rotationPlan,
  stageKeyFileRotation,
} from '@passerelle/privacy';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '500' } } });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error('--batch-size must be a positive integer');
  const config = loadConfig();
  const keysDir = join(config.dataDir, 'keys');

  if (config.embedded) {
    const fromFiles = [
      ...(config.dataKey ? [] : (['data'] as const)),
      ...(config.signingKey ? [] : (['signing'] as const)),
    ];
    if (fromFiles.length > 0) {
      const staged = stageKeyFileRotation(keysDir, fromFiles);
      console.log(
        `New keys generated: ${staged.join(', ')}; the old ones are now ${fromFiles
          .map((kind) => join(keysDir, KEY_FILES[kind].previous))
          .join(', ')}.\nRestart the service: it completes the rotation in the background while serving, ` +
          'then moves the old key files aside and says so in its log.',
      );
    }
    if (config.dataKey || config.signingKey) {
      console.log(
        'For the keys set in the environment: restart the service with DATA_KEY / SIGNING_KEY the new keys and ' +
          'DATA_KEY_PREVIOUS / SIGNING_KEY_PREVIOUS the old ones; on the embedded default it completes the rotation itself.',
      );
    }
    return 0;
  }

  const plan = rotationPlan(
    loadDataKeyRing({ current: config.dataKey, previous: config.dataKeyPrevious }).ring,
    loadSigningKeyRing({ current: config.signingKey, previous: config.signingKeyPrevious }).ring,
  );
  if (!plan.data && !plan.signing) {
    console.error(
      'Nothing to rotate: set DATA_KEY_PREVIOUS (and/or SIGNING_KEY_PREVIOUS) to the key in use and DATA_KEY (SIGNING_KEY) to the new one',
    );
    return 2;
  }
  const client = await openSqlClient(config);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    console.log('\nStopping after the batch in flight…');
    stop.abort();
  });
  try {
    await migrateAll(client);
    const report = await rotateKeys(client, plan, {
      batchSize,
      signal: stop.signal,
      onBatch: ({ rewrapped }) => void process.stdout.write(`\rperson keys re-wrapped: ${rewrapped}`),
    });
    if (report.data && !report.data.alreadyDone) process.stdout.write('\n');
    if (report.signing) {
      console.log(
        report.signing.alreadyDone
          ? 'SIGNING_KEY: already in use'
          : `SIGNING_KEY: rotated; the previous key signed up to position ${report.signing.lastPosition}, the new key signs from now on`,
      );
    }
    if (report.data) {
      console.log(
        report.data.alreadyDone
          ? 'DATA_KEY: already in use, every person key wrapped by it'
          : `DATA_KEY: ${report.data.resumed ? 'resumed and ' : ''}completed, ${report.data.rewrapped} person keys re-wrapped by this run`,
      );
    }
    console.log(
      `Done in ${report.durationMs} ms. Remove DATA_KEY_PREVIOUS / SIGNING_KEY_PREVIOUS from every process at its next restart.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof RotationInterrupted) {
      console.log('\nInterrupted: run the same command again to resume.');
      return 1;
    }
    throw error;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
