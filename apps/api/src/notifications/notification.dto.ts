import { ApiPropertyOptional } from '@nestjs/swagger';
import { NOTIFICATION_STATUSES, NotificationRecord } from '@passerelle/notifications';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PagedQuery } from '../read-models/read-query.dto';

export class ListNotificationsQuery extends PagedQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Messages about this partnership' })
  @IsOptional()
  @IsUUID()
  partnershipId?: string;

  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status?: (typeof NOTIFICATION_STATUSES)[number];
}

/** One message as the API shows it. */
export interface NotificationView {
  id: string;
  partnershipId: string;
  template: string;
  /** queued (waiting or retrying), sending, sent, failed, skipped (no longer relevant when its turn came). */
  status: string;
  recipient: { email: string; name: string | null; language: string; organizationId: string | null };
  subjectId: string | null;
  /** The event (or the timer derived from one) that caused the message, and the event's global position. */
  source: { kind: 'event' | 'timer'; id: string };
  position: number;
  attempts: number;
  lastError: string | null;
  /** Message-ID header of the delivered message. */
  messageId: string | null;
  /** The SMTP server's answer (e.g. `250 Ok: queued as …`), or the outbox file written. */
  smtpResponse: string | null;
  /** Global position of the NotificationSent event that records the delivery. */
  auditPosition: number | null;
  notBefore: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export const toView = (record: NotificationRecord): NotificationView => ({
  id: record.id,
  partnershipId: record.partnershipId,
  template: record.template,
  status: record.status,
  recipient: record.recipient,
  subjectId: record.subjectId,
  source: record.source,
  position: record.position,
  attempts: record.attempts,
  lastError: record.lastError,
  messageId: record.messageId,
  smtpResponse: record.smtpResponse,
  auditPosition: record.auditPosition,
  notBefore: record.notBefore?.toISOString() ?? null,
  createdAt: record.createdAt.toISOString(),
  updatedAt: record.updatedAt.toISOString(),
  sentAt: record.sentAt?.toISOString() ?? null,
});
