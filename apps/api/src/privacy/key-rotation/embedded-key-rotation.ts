import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { SqlClient } from '@passerelle/database';
import {
  DataKeyRing,
  retirePreviousKeyFile,
  RotationInterrupted,
  rotateKeys,
  rotationPlan,
  SigningKeyRing,
} from '@passerelle/privacy';
import { join } from 'node:path';
import { DATA_KEY_RING, SQL_CLIENT } from '@passerelle/application';
import { SIGNING_KEY_RING } from '../integrity/signing-key';

/**
 * On the embedded default the service is the only process on its database, so it completes a key
 * rotation itself: started with a previous key (staged by `npm run rotate-keys`, or DATA_KEY_PREVIOUS
 * / SIGNING_KEY_PREVIOUS), it rotates in the background while serving, and resumes at the next start
 * if stopped before the end. Deployments on PostgreSQL run `npm run rotate-keys` once every process
 * holds both keys (docs/deployment.md).
 */
@Injectable()
export class EmbeddedKeyRotation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyRotation');
  private readonly stop = new AbortController();
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(DATA_KEY_RING) private readonly dataKeys: DataKeyRing,
    @Inject(SIGNING_KEY_RING) private readonly signingKeys: SigningKeyRing,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.embedded) return;
    const plan = rotationPlan(this.dataKeys, this.signingKeys);
    if (!plan.data && !plan.signing) return;
    this.running = this.rotate(plan);
  }

  /** Resolves once the rotation started at boot has ended (or when there was none). */
  whenDone(): Promise<void> {
    return this.running;
  }

  private async rotate(plan: ReturnType<typeof rotationPlan>): Promise<void> {
    try {
      const report = await rotateKeys(this.sql, plan, { signal: this.stop.signal });
      const keysDir = join(this.config.dataDir, 'keys');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const retired = [
        ...(report.data && !this.config.dataKey ? [retirePreviousKeyFile(keysDir, 'data', stamp)] : []),
        ...(report.signing && !this.config.signingKey
          ? [retirePreviousKeyFile(keysDir, 'signing', stamp)]
          : []),
      ].filter((path): path is string => path !== null);
      this.logger.log(
        `Key rotation complete in ${report.durationMs} ms` +
          (report.data ? `: ${report.data.rewrapped} person keys re-wrapped` : '') +
          (retired.length > 0
            ? `. The old keys are no longer needed: ${retired.join(', ')} — move them off this machine (they open backups taken before now) or delete them.`
            : '. DATA_KEY_PREVIOUS / SIGNING_KEY_PREVIOUS may now be removed.'),
      );
    } catch (error) {
      if (error instanceof RotationInterrupted) {
        this.logger.warn('Key rotation stopped with the service; it resumes at the next start');
      } else {
        this.logger.error(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }
}
