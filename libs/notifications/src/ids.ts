import { streamIdFor } from '@passerelle/domain';
import { createHash } from 'node:crypto';

/** Passerelle notifications' own UUID v5 namespace. */
const NAMESPACE = Buffer.from('3b9f6c1e2d4a4f8e9c7b5a6d8e0f1a2b', 'hex');

/** RFC 9562 version 5 UUID: the same parts always give the same id, on every process and every replay. */
export function nameBasedUuid(...parts: (string | number)[]): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One message: what caused it (an event or a timer) × who receives it × which template. */
export const notificationIdFor = (sourceId: string, recipientEmail: string, template: string): string =>
  nameBasedUuid('notification', sourceId, recipientEmail.toLowerCase(), template);

/** One timer: its kind and what identifies the moment it stands for (a meeting's sequence, a reminder's rank…). */
export const timerIdFor = (kind: string, ...parts: (string | number)[]): string =>
  nameBasedUuid('timer', kind, ...parts);

/** The audit event recorded once a notification is delivered. */
export const sentEventIdFor = (notificationId: string): string =>
  nameBasedUuid('notification-sent', notificationId);

/** The stream holding a partnership's delivered notifications. */
export const notificationStreamFor = streamIdFor.notifications;

/** A job id for the n-th manual retry of a failed notification (the first job uses the notification id). */
export const retryJobIdFor = (notificationId: string, retry: number): string =>
  `${notificationId}-retry-${retry}`;
