import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { createSqlClient, unavailabilityOf, type SqlClient, type SqlExecutor } from '@passerelle/database';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequest } from '../http/answer';
import { Observable } from 'rxjs';
import { SQL_CLIENT } from '@passerelle/application';
import { ReadModels } from './read-models.service';

/** How often the replicas' checkpoints are read again while a `minPosition` read waits for them. */
const REPLICA_POLL_MS = 50;
/** How long a `minPosition` read waits for the replicas before it reads on the primary. */
const REPLICA_GRACE_MS = 500;

/**
 * Read-model queries on the replicas (DATABASE_READ_URL), the rest on the primary. Each GET decides once
 * where it reads: on the replicas unless it asks for `minPosition` and the replicas' read-model checkpoints
 * have not reached it within REPLICA_GRACE_MS — then on the primary, whose read models the
 * MinPositionInterceptor waits for. A replica that is unavailable sends the query to the primary.
 */
export class ReplicaRouting {
  /** The client the read-model queries are given: routes each query to where its request reads. */
  readonly client: SqlClient;
  private readonly route = new AsyncLocalStorage<'replica' | 'primary'>();

  constructor(
    primary: SqlClient,
    private readonly replica: SqlClient | undefined,
    private readonly projectionNames: readonly string[],
    private readonly graceMs = REPLICA_GRACE_MS,
  ) {
    this.client = new RoutingSqlClient(primary, () =>
      this.route.getStore() === 'replica' ? this.replica : undefined,
    );
  }

  /** Runs `work` with its read-model queries where a read needing `minPosition` (if any) should go. */
  async readingAt<T>(minPosition: number | undefined, work: () => T): Promise<T> {
    const where = this.replica && (await this.replicaReached(minPosition)) ? 'replica' : 'primary';
    return this.route.run(where, work);
  }

  /** Whether the replicas' read models have processed `position`, waiting up to the grace. */
  private async replicaReached(position: number | undefined): Promise<boolean> {
    if (position === undefined || position <= 0) return true;
    const deadline = Date.now() + this.graceMs;
    for (;;) {
      try {
        const [row] = await this.replica!.query<{ position: number | null }>(
          'SELECT min(position) AS position FROM processor_checkpoints WHERE name = ANY($1::text[])',
          [this.projectionNames],
        );
        if (Number(row?.position ?? 0) >= position) return true;
      } catch (error) {
        if (unavailabilityOf(error) === undefined) throw error;
        return false;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, REPLICA_POLL_MS));
    }
  }
}

/** The routing of this process: over a replica client when DATABASE_READ_URL is set. */
@Injectable()
export class ReadReplica implements OnModuleInit, OnModuleDestroy {
  private replica?: SqlClient;
  private routing: ReplicaRouting;
  private readonly logger = new Logger('ReadReplica');
  /** Given to the read-model queries; follows `routing` once the replica is open. */
  readonly client: SqlClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_CLIENT) private readonly primary: SqlClient,
    private readonly readModels: ReadModels,
  ) {
    this.routing = this.routeOver(undefined);
    this.client = new RoutingSqlClient(primary, () => this.routing.client);
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.databaseReadUrl) return;
    this.replica = await createSqlClient({
      databaseUrl: this.config.databaseReadUrl,
      schema: this.config.databaseSchema,
      readOnly: true,
      applicationName: `passerelle:${this.config.databaseSchema}:read`,
    });
    this.routing = this.routeOver(this.replica);
    this.logger.log('read-model queries on the replicas (DATABASE_READ_URL)');
  }

  async onModuleDestroy(): Promise<void> {
    await this.replica?.close();
  }

  readingAt<T>(minPosition: number | undefined, work: () => T): Promise<T> {
    return this.routing.readingAt(minPosition, work);
  }

  private routeOver(replica: SqlClient | undefined): ReplicaRouting {
    return new ReplicaRouting(
      this.primary,
      replica,
      this.readModels.projections.map((projection) => projection.name),
    );
  }
}

/** Chooses, for GETs, where their read-model queries go (see ReadReplica). */
@Injectable()
export class ReadReplicaInterceptor implements NestInterceptor {
  constructor(private readonly replica: ReadReplica) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (request.method !== 'GET' && request.method !== 'HEAD') return next.handle();
    const raw = Number((request.query as Record<string, unknown> | undefined)?.minPosition);
    const minPosition = Number.isSafeInteger(raw) ? raw : undefined;
    return new Observable((subscriber) => {
      let inner: { unsubscribe(): void } | undefined;
      let closed = false;
      void this.replica
        .readingAt(minPosition, () => {
          if (!closed) inner = next.handle().subscribe(subscriber);
        })
        .catch((error: unknown) => subscriber.error(error));
      return () => {
        closed = true;
        inner?.unsubscribe();
      };
    });
  }
}

/** A SqlClient whose queries go to the replica chosen for the current request, else to the primary. */
class RoutingSqlClient implements SqlClient {
  readonly dialect: SqlClient['dialect'];
  readonly schema: string;

  constructor(
    private readonly primary: SqlClient,
    private readonly chosen: () => SqlClient | undefined,
  ) {
    this.dialect = primary.dialect;
    this.schema = primary.schema;
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const replica = this.chosen();
    if (!replica) return this.primary.query<Row>(sql, params);
    try {
      return await replica.query<Row>(sql, params);
    } catch (error) {
      // A replica failing over or gone: the primary answers.
      if (unavailabilityOf(error) === undefined) throw error;
      return this.primary.query<Row>(sql, params);
    }
  }

  exec(sql: string): Promise<void> {
    return this.primary.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.primary.transaction(work);
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.primary.listen(channel, onNotify);
  }

  close(): Promise<void> {
    // The primary belongs to the infrastructure module, the replica to ReadReplica.
    return Promise.resolve();
  }
}
