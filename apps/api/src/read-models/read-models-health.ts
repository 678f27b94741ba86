import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { readCheckpoints } from '@passerelle/read-models';
import { ReadModels } from './read-models.service';

export interface ProjectionReadiness {
  /** The stored checkpoint: the last global position the projection's tables hold. */
  position: number | null;
  /** Events behind the head of the log (null when the head could not be read). */
  lag: number | null;
  version: number;
  /** The version of the stored tables; it differs from `version` until the rebuild the runner starts is done. */
  storedVersion: number | null;
  /** Whether this process holds the projection's lock (otherwise another instance runs it). */
  activeHere: boolean;
  /** The last failure of this process's runner, cleared once it follows the log again. */
  lastError: string | null;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Readiness of the read side: each projection's checkpoint as stored, the head of the log and the lag.
 * Down when the read-model database cannot be queried, when a projection has no checkpoint, or when a
 * projection this process runs is failing. Catching up is not a failure: the lag is reported and the
 * check stays up (reads that need a position wait for it with `?minPosition=`).
 */
@Injectable()
export class ReadModelsHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicator: HealthIndicatorService,
    @Inject(ReadModels) private readonly readModels: ReadModels,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('readModels');
    const names = this.readModels.projections.map((projection) => projection.name);
    const [stored, head] = await Promise.all([
      readCheckpoints(this.readModels.client, names).then(
        (checkpoints) => ({ checkpoints }),
        (error: unknown) => ({ error: describe(error) }),
      ),
      // The event store's own check reports a head that cannot be read; here it only leaves the lag unknown.
      this.readModels.store.headPosition().catch(() => null),
    ]);
    if ('error' in stored) return check.down({ message: `read-model database: ${stored.error}`, head });

    const projections: Record<string, ProjectionReadiness> = {};
    const problems: string[] = [];
    for (const status of this.readModels.runner.status()) {
      const checkpoint = stored.checkpoints.get(status.name);
      const position = checkpoint?.position ?? null;
      projections[status.name] = {
        position,
        lag: head === null || position === null ? null : Math.max(head - position, 0),
        version: status.version,
        storedVersion: checkpoint?.version ?? null,
        activeHere: status.active,
        lastError: status.lastError,
      };
      if (!checkpoint) problems.push(`${status.name}: no checkpoint`);
      // An error left from before another instance took the lock is not this process's to report.
      else if (status.active && status.lastError) problems.push(`${status.name}: ${status.lastError}`);
    }
    const lags = Object.values(projections).map((projection) => projection.lag);
    const lag = lags.includes(null) ? null : Math.max(0, ...(lags as number[]));
    const details = { head, lag, projections };
    return problems.length > 0 ? check.down({ message: problems.join('; '), ...details }) : check.up(details);
  }
}
