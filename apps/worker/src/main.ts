import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@passerelle/config';
import { parseArgs } from 'node:util';
import { TUNING_FLAGS, tuningFrom } from './tuning';
import { WorkerModule } from './worker.module';

const USAGE = `Usage: worker [--concurrency=8] [--attempts=8] [--backoff-ms=5000] [--lock-duration-ms=30000]
              [--sending-timeout-ms=120000] [--batch-size=200]
Delivers e-mail notifications (BullMQ on REDIS_URL, SMTP_URL or DATA_DIR/outbox) and runs the dispatcher
when it holds its lock. Needs DATABASE_URL: on the embedded default the API runs the worker in-process.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(TUNING_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  if (config.embedded) {
    throw new ConfigError(
      'the worker runs as its own process only with DATABASE_URL (the embedded store has one process)',
    );
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, tuningFrom(values)), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  console.log(`notification worker started (pid ${process.pid})`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
