import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import type { SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { PersonalValues, STORED_EVENT_STORE } from '@passerelle/privacy';
import { PERSONAL_VALUES, SQL_CLIENT } from '@passerelle/application';
import {
  AnyProjection,
  ChangeFeed,
  LocalLocks,
  LockProvider,
  PostgresAdvisoryLocks,
  ProjectionProgress,
  ProjectionRunner,
  READ_MODEL_PROJECTIONS,
} from '@passerelle/read-models';

/**
 * The read side inside the API process: the projection runner (it takes each projection's lock, so with
 * a separate `apps/projector` or other replicas only one instance runs each projection), the progress
 * readers wait on, and the feed of changes for live dashboards.
 */
@Injectable()
export class ReadModels implements OnModuleInit, OnModuleDestroy {
  readonly projections: readonly AnyProjection[] = READ_MODEL_PROJECTIONS;
  readonly progress: ProjectionProgress;
  readonly runner: ProjectionRunner;
  readonly changes: ChangeFeed;
  readonly locks: LockProvider;
  private readonly logger = new Logger('ReadModels');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_CLIENT) readonly client: SqlClient,
    /** The events as stored: the projections fold them with personal fields sealed (decision 0005). */
    @Inject(STORED_EVENT_STORE) readonly store: EventStore,
    /** The events as the application reads them, personal fields opened: the auditors' log. */
    @Inject(EVENT_STORE) readonly openedStore: EventStore,
    /** Opens the personal values the rows keep sealed; a forgotten person's read as "[erased]". */
    @Inject(PERSONAL_VALUES) readonly personalValues: PersonalValues,
  ) {
    this.locks = config.databaseUrl
      ? new PostgresAdvisoryLocks({
          databaseUrl: config.databaseUrl,
          schema: config.databaseSchema,
          applicationName: 'passerelle:api:projection-lock',
        })
      : new LocalLocks();
    this.progress = new ProjectionProgress(
      client,
      this.projections.map((projection) => projection.name),
    );
    this.runner = new ProjectionRunner({
      client,
      store,
      projections: this.projections,
      locks: this.locks,
      progress: this.progress,
      logger: {
        log: (message) => this.logger.log(message),
        warn: (message) => this.logger.warn(message),
        error: (message) => this.logger.error(message),
      },
    });
    const shown = this.projections.flatMap((projection) =>
      projection.handles === 'all' ? [] : projection.handles,
    );
    this.changes = new ChangeFeed(store, this.progress, new Set(shown));
  }

  /**
   * The tables exist before the first request; following the log happens in the background, here or
   * (IN_PROCESS without projections) in apps/projector, whose progress readers learn from the checkpoints.
   */
  async onModuleInit(): Promise<void> {
    await this.progress.start();
    if (this.config.inProcess.projections) await this.runner.start();
    else await this.runner.prepare();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    await this.progress.stop();
  }

  waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    return this.runner.waitForPosition(position, timeoutMs);
  }
}
