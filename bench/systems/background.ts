import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@passerelle/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProjector, type Projector } from '../../apps/projector/src/projector';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import type { BenchSystem } from './types';

export interface BackgroundParams {
  /** The application's environment (database, schema, keys): this process shares its deployment. */
  env: Record<string, string>;
}

const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * The background work beside API replicas that run with IN_PROCESS=none, as the server and scale-out
 * shapes deploy it: the projector (apps/projector) and the e-mail worker (apps/worker), in a process
 * of their own.
 */
export async function open(params: BackgroundParams): Promise<BenchSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-background-'));
  const config = loadConfig({ ...params.env, DATA_DIR: dataDir, IN_PROCESS: 'projections,notifications' });
  let projector: Projector | undefined;
  let worker: INestApplicationContext | undefined;
  try {
    projector = await startProjector(config, { logger: quiet });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();
  } catch (error) {
    await worker?.close().catch(() => undefined);
    await projector?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const [runningProjector, runningWorker] = [projector, worker];
  return {
    /** This process's CPU time so far (ms, user + system). */
    async counters(): Promise<{ cpuMs: number }> {
      const { user, system } = process.cpuUsage();
      return { cpuMs: (user + system) / 1000 };
    },

    async close(): Promise<void> {
      try {
        await runningWorker.close();
        await runningProjector.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
