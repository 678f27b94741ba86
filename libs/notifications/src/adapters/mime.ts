import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from '../ports/mailer.port';

/** The one translation of a message into nodemailer's terms, shared by the SMTP and outbox transports. */
export function toNodemailer(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: { 'Content-Language': mail.language, 'Auto-Submitted': 'auto-generated', ...mail.headers },
    // A `text/calendar; method=…` alternative (what calendar clients act on) and the same as `invite.ics`.
    ...(mail.calendar
      ? {
          icalEvent: { method: mail.calendar.method, filename: 'invite.ics', content: mail.calendar.content },
        }
      : {}),
  };
}
