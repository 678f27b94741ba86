import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { Public } from '../auth/roles';
import { NotificationsHealthIndicator } from '../notifications/notifications-health';
import { ReadModelsHealthIndicator } from '../read-models/read-models-health';
import { ReadSide } from '../read-models/read-interceptors';

@ApiTags('operations')
@Controller('health')
@Public()
@ReadSide()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsHealthIndicator,
    private readonly notifications: NotificationsHealthIndicator,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: the event store answers; the read models' database answers and no projection is failing
   * (each one's checkpoint, the head and the lag are reported; catching up is not a failure); notifications
   * report `delivery: degraded` while Redis is down (still 200).
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the store, the read models and Redis' })
  ready() {
    return this.health.check([
      async () => {
        const check = this.indicator.check('eventStore');
        try {
          const head = await this.store.headPosition();
          return check.up({ headPosition: head });
        } catch (error) {
          return check.down({ message: error instanceof Error ? error.message : String(error) });
        }
      },
      () => this.readModels.check(),
      () => this.notifications.check(),
    ]);
  }
}
