import { createProcessLogger } from '@passerelle/application';
import { ConfigError, loadConfig } from '@passerelle/config';
import { parseArgs } from 'node:util';
import { Projector, startProjector } from './projector';

const USAGE = `Usage: projector [--projections=a,b] [--batch-size=500] [--lock-poll-ms=1000]
Runs the read-model projections against PostgreSQL (DATABASE_URL), one active instance per projection.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      projections: { type: 'string' },
      'batch-size': { type: 'string' },
      'lock-poll-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const whole = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!/^[1-9]\d{0,6}$/.test(value)) throw new ConfigError(`--${name} must be a positive whole number`);
    return Number(value);
  };

  let projector: Projector;
  const config = loadConfig();
  const logger = createProcessLogger('projector', config.logLevel);
  try {
    projector = await startProjector(config, {
      projections: values.projections?.split(',').filter(Boolean),
      batchSize: whole('batch-size', values['batch-size']),
      lockPollMs: whole('lock-poll-ms', values['lock-poll-ms']),
      logger: {
        log: (message) => logger.info(message),
        warn: (message) => logger.warn(message),
        error: (message) => logger.error(message),
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  logger.info(
    `projector started (pid ${process.pid}): ${projector.runner
      .status()
      .map((s) => s.name)
      .join(', ')}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping after the batch in progress`);
    await projector.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
