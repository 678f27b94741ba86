import type { Language } from '@passerelle/domain';

export const TEMPLATES = [
  'meeting.invitation',
  'meeting.updated',
  'meeting.cancelled',
  'meeting.reminder',
  'signature.request',
  'signature.reminder',
  'agreement.executed',
  'mou.executed',
  'project.launched',
  'partnership.withdrawn',
  'agreement.renewal',
] as const;
export type Template = (typeof TEMPLATES)[number];

export const NOTIFICATION_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
/** `sending`: a worker is delivering it; `skipped`: no longer relevant when its turn came (e.g. already signed). */
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface Recipient {
  email: string;
  name: string | null;
  language: Language;
  /** The party the contact belongs to; null for an observer. */
  organizationId: string | null;
}

/** What caused a notification: an event of the log, or a timer derived from one. */
export type NotificationSource = { kind: 'event'; id: string } | { kind: 'timer'; id: string };

/** A message the dispatcher or a timer decided to send. */
export interface PlannedNotification {
  id: string;
  partnershipId: string;
  source: NotificationSource;
  /** Global position of the event that caused it (directly or through its timer). */
  position: number;
  template: Template;
  /** The meeting, agreement, MOU or project the message is about. */
  subjectId: string | null;
  recipient: Recipient;
  /** Not to be sent before this time (signature requests wait a little; see the settings). */
  notBefore: Date | null;
}

export type TimerData =
  | { kind: 'meeting_reminder'; meetingId: string; sequence: number }
  | {
      kind: 'signature_reminder';
      document: 'agreement' | 'mou';
      documentId: string;
      /** The document version the reminder is for: the agreement's amendment count, 0 for an MOU. */
      amendment: number;
      /** 1 for the first reminder. */
      reminder: number;
    }
  | { kind: 'renewal_reminder'; agreementId: string; expiresOn: string }
  | { kind: 'agreement_expiry'; agreementId: string; expiresOn: string };

export type TimerKind = TimerData['kind'];

export interface PlannedTimer {
  id: string;
  partnershipId: string;
  dueAt: Date;
  /** Position of the event that set the timer. */
  position: number;
  data: TimerData;
}

export type TimerStatus = 'pending' | 'done' | 'skipped';

export interface NotificationRecord extends PlannedNotification {
  status: NotificationStatus;
  /** The queue job currently carrying it: the notification id, then one per manual retry. */
  jobId: string;
  attempts: number;
  lastError: string | null;
  /** The Message-ID header of the delivered message. */
  messageId: string | null;
  /** What the SMTP server answered (e.g. `250 2.0.0 Ok: queued as 4Bc1`), or the outbox file. */
  smtpResponse: string | null;
  /** Position of the `NotificationSent` event once recorded. */
  auditPosition: number | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  /** The attempt holding the message `sending` (a token of the worker's); null before the first claim. */
  sendingToken: string | null;
}

export interface TimerRecord extends PlannedTimer {
  status: TimerStatus;
  outcome: string | null;
}

/** A send job: ids and the position, never the message. The worker reloads the rest. */
export interface SendJob {
  notificationId: string;
  jobId: string;
  partnershipId: string;
  position: number;
  template: Template;
  recipient: string;
  notBefore: string | null;
}

export interface TimerJob {
  timerId: string;
  kind: TimerKind;
  partnershipId: string;
  position: number;
  dueAt: string;
}

export const sendJobOf = (record: NotificationRecord): SendJob => ({
  notificationId: record.id,
  jobId: record.jobId,
  partnershipId: record.partnershipId,
  position: record.position,
  template: record.template,
  recipient: record.recipient.email,
  notBefore: record.notBefore?.toISOString() ?? null,
});

export const timerJobOf = (timer: PlannedTimer): TimerJob => ({
  timerId: timer.id,
  kind: timer.data.kind,
  partnershipId: timer.partnershipId,
  position: timer.position,
  dueAt: timer.dueAt.toISOString(),
});
