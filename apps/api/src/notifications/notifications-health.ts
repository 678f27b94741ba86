import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { NotificationsRuntime } from '@passerelle/notifications';
import { NOTIFICATIONS_RUNTIME } from '@passerelle/application';

/**
 * Readiness of notifications. Redis down is `degraded`, not down: the API still accepts every command and
 * nothing is lost (the dispatcher holds its checkpoint), so the instance stays in service (200) and the
 * detail says e-mails are waiting.
 */
@Injectable()
export class NotificationsHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicator: HealthIndicatorService,
    @Inject(NOTIFICATIONS_RUNTIME) private readonly runtime: NotificationsRuntime,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const health = await this.runtime.health();
    return this.indicator.check('notifications').up({
      delivery: health.status,
      redis: health.redis,
      dispatcher: {
        active: health.dispatcher.active,
        position: health.dispatcher.position,
        lastError: health.dispatcher.lastError,
      },
      worker: health.worker,
      mailer: health.mailer,
    });
  }
}
