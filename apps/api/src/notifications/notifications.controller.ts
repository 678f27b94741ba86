import { Controller, Get, HttpCode, Inject, Logger, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  NOTIFICATION_QUEUE,
  NOTIFICATION_STORE,
  NotificationQueue,
  NotificationStore,
  sendJobOf,
} from '@passerelle/notifications';
import { clampLimit } from '@passerelle/read-models';
import { CAN_READ_HISTORY, Roles } from '../auth/roles';
import { ApiProblems, ApiRead } from '../http/openapi';
import { UuidParameter } from '../http/parameters';
import { ProblemError } from '../http/problem';
import { PagedQuery } from '../read-models/read-query.dto';
import { ListNotificationsQuery, NotificationView, toView } from './notification.dto';
import { ReadSide } from '../read-models/read-interceptors';

interface NotificationPage {
  items: NotificationView[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * What was sent to whom and how it went. Recipients' addresses are personal data: officers and auditors
 * read them; the failed list and retries are operator endpoints (admin).
 */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  private readonly logger = new Logger('Notifications');

  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
  ) {}

  /** Newest first; filter by partnership and status. */
  @ReadSide()
  @Get()
  @Roles(...CAN_READ_HISTORY)
  @ApiRead('The e-mails of a partnership and their delivery')
  list(@Query() query: ListNotificationsQuery): Promise<NotificationPage> {
    return this.page({ partnershipId: query.partnershipId, status: query.status }, query);
  }

  /** Messages that kept failing (dead letters), to retry once the cause is fixed. */
  @ReadSide()
  @Get('failed')
  @Roles()
  @ApiRead('E-mails whose delivery failed')
  failed(@Query() query: PagedQuery): Promise<NotificationPage> {
    return this.page({ status: 'failed' }, query);
  }

  /** Sends a failed message again, with a fresh round of attempts. Answers 202: delivery follows. */
  @Post(':id/retry')
  @HttpCode(202)
  @Roles()
  @ApiOperation({ summary: 'Send a failed e-mail again' })
  @ApiResponse({ status: 202, description: 'Queued again: delivery follows' })
  @ApiProblems(400, 404, 409)
  async retry(@Param('id', UuidParameter) id: string): Promise<NotificationView> {
    const current = await this.store.get(id);
    if (!current) throw new ProblemError(404, 'notification.not_found', `No notification ${id}`);
    const requeued = await this.store.requeue(id);
    if (!requeued) {
      throw new ProblemError(
        409,
        'notification.not_failed',
        `Notification ${id} is ${current.status}; only a failed one is retried`,
        {
          notificationStatus: current.status,
        },
      );
    }
    try {
      await this.queue.enqueueSends([sendJobOf(requeued)]);
    } catch (error) {
      // Recorded as queued: the dispatcher offers it again as soon as the queue is reachable.
      this.logger.warn(
        `Retry of ${id} queued in SQL only for now: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return toView(requeued);
  }

  private async page(
    filter: { partnershipId?: string; status?: ListNotificationsQuery['status'] },
    query: PagedQuery,
  ): Promise<NotificationPage> {
    const limit = clampLimit(query.limit);
    const offset = query.offset ?? 0;
    const [items, total] = await Promise.all([
      this.store.list({ ...filter, limit, offset }),
      this.store.count(filter),
    ]);
    return { items: items.map(toView), total, limit, offset };
  }
}
