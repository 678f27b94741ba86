import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  AuditLogQuery,
  DashboardQuery,
  FeedbackReportQuery,
  OrganizationsQuery,
  PartnershipsQuery,
  PersonalDataOpener,
} from '@passerelle/read-models';
import { AccessTokenQueryMiddleware } from './access-token.middleware';
import { AuditController } from './audit.controller';
import { DashboardController } from './dashboard.controller';
import { MinPositionInterceptor } from './min-position.interceptor';
import { OrganizationsReadController, PartnershipsReadController } from './partnerships-read.controller';
import { ProjectionsController } from './projections.controller';
import { ReadModelsHealthIndicator } from './read-models-health';
import { ReadModels } from './read-models.service';
import { ReadReplica, ReadReplicaInterceptor } from './read-replica';
import { ReportsController } from './reports.controller';
import { StreamController } from './stream.controller';
import { PrivacyModule } from '../privacy/privacy.module';

const overClient = <T>(Query: new (db: ReadModels['client']) => T) => ({
  provide: Query,
  inject: [ReadReplica],
  useFactory: (replica: ReadReplica) => new Query(replica.client),
});

/** A query whose rows hold personal values sealed: it opens them with the person's key when read. */
const opening = <T>(Query: new (db: ReadModels['client'], open: PersonalDataOpener) => T) => ({
  provide: Query,
  inject: [ReadModels, ReadReplica],
  useFactory: (readModels: ReadModels, replica: ReadReplica) =>
    new Query(replica.client, (values) => readModels.personalValues.opener(values)),
});

/**
 * The read side: projections kept up to date in this process, their queries, dashboards, audit. Global,
 * so that `@ReadSide()` (read-interceptors.ts) finds its interceptors from the GET routes of every module.
 */
@Global()
@Module({
  imports: [PrivacyModule, TerminusModule],
  controllers: [
    PartnershipsReadController,
    OrganizationsReadController,
    DashboardController,
    StreamController,
    ReportsController,
    AuditController,
    ProjectionsController,
  ],
  providers: [
    ReadModels,
    ReadReplica,
    ReadModelsHealthIndicator,
    opening(PartnershipsQuery),
    opening(OrganizationsQuery),
    overClient(DashboardQuery),
    overClient(FeedbackReportQuery),
    {
      provide: AuditLogQuery,
      inject: [ReadModels],
      useFactory: (readModels: ReadModels) => new AuditLogQuery(readModels.openedStore),
    },
    MinPositionInterceptor,
    ReadReplicaInterceptor,
  ],
  exports: [
    ReadModels,
    ReadModelsHealthIndicator,
    OrganizationsQuery,
    MinPositionInterceptor,
    ReadReplicaInterceptor,
  ],
})
export class ReadModelsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AccessTokenQueryMiddleware)
      .forRoutes(
        { path: 'stream', method: RequestMethod.GET },
        { path: 'dashboard/stream', method: RequestMethod.GET },
      );
  }
}
