import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { NotificationsController } from './notifications.controller';
import { NotificationsCoreModule } from '@passerelle/application';
import { NotificationsHealthIndicator } from './notifications-health';

/**
 * E-mail notifications in the API: the read model and operator endpoints, the readiness check, and (on the
 * embedded default, and wherever `inProcess` holds) the dispatcher and worker in this process.
 */
@Module({
  imports: [NotificationsCoreModule.forRoot(), TerminusModule],
  controllers: [NotificationsController],
  providers: [NotificationsHealthIndicator],
  exports: [NotificationsHealthIndicator, NotificationsCoreModule],
})
export class NotificationsModule {}
