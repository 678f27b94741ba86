import 'reflect-metadata';
import { ConfigError, loadConfig } from '@passerelle/config';
import { createApp, initApp } from './bootstrap';
import { DemoLoader } from './demo/demo-loader';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  let app;
  try {
    // Nest's own logger stays quiet until pino takes over, so a failed boot prints one line, below.
    app = await initApp(await createApp(config, { logger: false }));
  } catch (error) {
    // Matched by code: the EventStoreDB client is only loaded when it is configured.
    if ((error as { code?: unknown }).code === 'event_store_connection') {
      console.error(`Event store: ${(error as Error).message}`);
      process.exit(3);
    }
    throw error;
  }
  await app.get(DemoLoader).loadIfWanted();
  // Every interface, as a service in a container or behind a proxy needs; IPv4 alone where IPv6 is off.
  await app.listen(config.port, '::').catch((error: { code?: string }) => {
    if (error.code !== 'EAFNOSUPPORT' && error.code !== 'EADDRNOTAVAIL') throw error;
    return app.listen(config.port, '0.0.0.0');
  });
  const logger = app.get(DemoLoader).logger;
  logger.log(`Passerelle listening on http://localhost:${config.port} (API under /api, docs at /api/docs)`);
  if (config.jwt.usingDevelopmentSecret) {
    logger.warn(
      'JWT_SECRET is not set: using the development secret. Get a token with `npm run token -- --role officer`.',
    );
  }
}

void main();
