import { Module } from '@nestjs/common';
import { ApplicationModule } from '@passerelle/application';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReadModelsModule } from '../read-models/read-models.module';
import { CommandMetrics } from './command-metrics';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { OperationalGauges } from './operational-gauges';

/**
 * `GET /metrics`: the process, HTTP requests, commands, and the log, read models and notifications as they
 * stand at scrape time. The HTTP middleware is mounted first thing in bootstrap.ts, so that requests
 * refused before routing (body too large, malformed JSON) are counted too.
 */
@Module({
  imports: [ApplicationModule, ReadModelsModule, NotificationsModule],
  controllers: [MetricsController],
  providers: [Metrics, CommandMetrics, OperationalGauges],
  exports: [Metrics],
})
export class MetricsModule {}
