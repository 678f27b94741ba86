import type { CalendarMethod } from '../ical/icalendar';

export const MAILER = Symbol('MAILER');

export interface OutgoingMail {
  notificationId: string;
  /** `<…>`: stable per notification, so a client can tell a repeat from a new message. */
  messageId: string;
  from: string;
  to: { name: string | null; address: string };
  subject: string;
  text: string;
  html: string;
  /** Sent as a `text/calendar; method=…` alternative and as `invite.ics`. */
  calendar: { method: CalendarMethod; content: string } | null;
  language: string;
  headers: Record<string, string>;
}

export interface DeliveryReceipt {
  messageId: string;
  /** The SMTP server's answer, or where the outbox wrote the file. */
  response: string;
}

/** A refusal the transport says will not change by trying again (SMTP 5xx). */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

/** Sends a built message. Adapters: SMTP (nodemailer) and the outbox directory (`.eml` files). */
export interface Mailer {
  readonly description: string;
  send(mail: OutgoingMail): Promise<DeliveryReceipt>;
  /**
   * Whether this notification's message was delivered, when the transport can know it (the outbox can;
   * an SMTP server cannot be asked): undefined means unknown.
   */
  wasDelivered(notificationId: string): Promise<{ response: string } | false | undefined>;
  close(): Promise<void>;
}
