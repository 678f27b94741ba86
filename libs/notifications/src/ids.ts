import { streamIdFor } from '@passerelle/domain';
import { nameBasedUuid } from '@passerelle/event-store';

/** Passerelle notifications' own UUID v5 namespace. */
const NAMESPACE = Buffer.from('3b9f6c1e2d4a4f8e9c7b5a6d8e0f1a2b', 'hex');

/** A version 5 UUID in the notifications' namespace: the same parts, the same id on every replay. */
const nameBasedNotificationId = (...parts: (string | number)[]): string => nameBasedUuid(NAMESPACE, ...parts);

/** One message: what caused it (an event or a timer) × who receives it × which template. */
export const notificationIdFor = (sourceId: string, recipientEmail: string, template: string): string =>
  nameBasedNotificationId('notification', sourceId, recipientEmail.toLowerCase(), template);

/** One timer: its kind and what identifies the moment it stands for (a meeting's sequence, a reminder's rank…). */
export const timerIdFor = (kind: string, ...parts: (string | number)[]): string =>
  nameBasedNotificationId('timer', kind, ...parts);

/** The audit event recorded once a notification is delivered. */
export const sentEventIdFor = (notificationId: string): string =>
  nameBasedNotificationId('notification-sent', notificationId);

/** The stream holding a partnership's delivered notifications. */
export const notificationStreamFor = streamIdFor.notifications;

/** A job id for the n-th manual retry of a failed notification (the first job uses the notification id). */
export const retryJobIdFor = (notificationId: string, retry: number): string =>
  `${notificationId}-retry-${retry}`;
