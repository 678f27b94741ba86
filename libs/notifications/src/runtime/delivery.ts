import { randomUUID } from 'node:crypto';
import { notificationStreamFor, sentEventIdFor } from '../ids';
import { NotificationRecord, SendJob, sendJobOf, TimerJob } from '../model';
import { composeMessage } from '../planning/compose-message';
import { fireTimer } from '../planning/fire-timer';
import type { AgreementExpiry } from '../ports/agreement-expiry.port';
import { DeliveryReceipt, Mailer, OutgoingMail, PermanentDeliveryError } from '../ports/mailer.port';
import {
  GiveUpError,
  HandOverNote,
  NotificationQueue,
  QueueHandlers,
  SendAttempt,
  TimerResult,
} from '../ports/notification-queue.port';
import type { NotificationStore } from '../ports/notification-store.port';
import type { NotificationSettings } from '../settings';
import type { FactsLoader } from './facts-loader';
import { describeError, type EventStore, type ProcessorLogger } from '@passerelle/event-store';

export interface DeliveryDeps {
  events: EventStore;
  store: NotificationStore;
  queue: NotificationQueue;
  mailer: Mailer;
  facts: FactsLoader;
  expiry: AgreementExpiry;
  settings: NotificationSettings;
  now: () => Date;
  logger: ProcessorLogger;
  /** The keyed subject a person is known by in the log; recorded instead of their address. */
  subjectOf: (email: string) => string;
}

/** The audit event of a delivered notification, on the stream `notifications-<partnershipId>`. */
export const NOTIFICATION_SENT = 'NotificationSent';

export const UNKNOWN_OUTCOME =
  'Delivery outcome unknown: the worker stopped while handing the message to the SMTP server. ' +
  'Not sent again automatically, to avoid a duplicate; retry it if the recipient did not get it.';

/** Replies reach someone only at an organiser address the operator set; MAIL_FROM is a sender. */
const repliesReachSomeone = (settings: { calendarOrganizer?: string }): boolean =>
  settings.calendarOrganizer !== undefined;

/** `Passerelle <no-reply@example.org>` → its parts. */
export function parseMailbox(mailbox: string): { email: string; name: string | null } {
  const match = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(mailbox);
  if (match) return { name: match[1]?.trim() || null, email: match[2]!.trim() };
  return { name: null, email: mailbox.trim() };
}

/** The text with every mention of the address (any case) replaced by `<recipient>`. */
export function withoutAddress(text: string, address: string): string {
  if (address.length === 0) return text;
  const lower = text.toLowerCase();
  const needle = address.toLowerCase();
  let result = '';
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    result += `${text.slice(from, at)}<recipient>`;
    from = at + needle.length;
  }
  return result + text.slice(from);
}

/** The Message-ID of a notification: the same on every attempt, so a repeat can be recognised downstream. */
export function messageIdFor(notificationId: string, mailFrom: string): string {
  const domain = parseMailbox(mailFrom).email.split('@')[1] ?? 'passerelle.local';
  return `<${notificationId}@${domain}>`;
}

/**
 * The worker's two jobs. A send reloads the notification and the partnership, renders, sends, and records the
 * result; the SQL status makes it idempotent. A timer reloads the partnership and decides then.
 *
 * Exactly-once where it can be, at-most-once where it cannot: the status moves to `sending` just before the
 * hand-over to the transport and to `sent` just after. A worker that dies in between leaves `sending`; the
 * outbox can tell whether the file was written, SMTP cannot, so such a message is listed as failed (outcome
 * unknown) rather than sent a second time.
 */
export class NotificationDelivery implements QueueHandlers {
  private readonly organizer: { email: string; name: string | null };

  constructor(private readonly deps: DeliveryDeps) {
    this.organizer = parseMailbox(deps.settings.calendarOrganizer ?? deps.settings.mailFrom);
  }

  async send(job: SendJob, attempt: SendAttempt): Promise<void> {
    const { store, mailer, now } = this.deps;
    // Names this attempt on the row, so what the job learns about it can be matched after a failover.
    const token = randomUUID();
    let claimed: NotificationRecord | null;
    try {
      // The usual case first: a queued message, claimed in one statement.
      claimed =
        (await store.claim(job.notificationId, job.jobId, token)) ??
        (await this.reclaim(job, attempt, token));
    } catch (error) {
      // The claim may have committed although the answer was lost (a failover): nothing was handed over.
      await this.keepNote(attempt, job, { token, handedOver: false });
      throw error;
    }
    if (!claimed) return;
    let handedOver: (DeliveryReceipt & { at: Date }) | null = null;
    let sent: NotificationRecord | null;
    try {
      const mail = await this.compose(claimed);
      if (typeof mail === 'string') {
        await store.markSkipped(claimed.id, mail);
        return;
      }
      const receipt = await mailer.send(mail);
      const response = withoutAddress(receipt.response, claimed.recipient.email);
      handedOver = { ...receipt, response, at: now() };
      sent = await store.markSent(claimed.id, { ...receipt, response }, handedOver.at);
    } catch (error) {
      if (handedOver) {
        // The transport took it and the database did not hear so: the next attempt records it as sent.
        const { at, ...receipt } = handedOver;
        await this.keepNote(attempt, job, { token, handedOver: true, receipt, at: at.toISOString() });
        throw error;
      }
      // An SMTP refusal often quotes the address: the notification log keeps no address in clear.
      const message = withoutAddress(describeError(error), claimed.recipient.email);
      const giveUp = error instanceof PermanentDeliveryError || attempt.attempt >= attempt.maxAttempts;
      try {
        if (giveUp) await store.markFailed(claimed.id, message);
        else await store.markRetrying(claimed.id, message, token);
      } catch (storeError) {
        await this.keepNote(attempt, job, { token, handedOver: false });
        throw storeError;
      }
      if (giveUp) throw new GiveUpError(message);
      throw error;
    }
    if (sent) await this.audit(sent);
  }

  /** Keeps what this attempt knows with the job (in Redis); a queue away too leaves the row to the usual rule. */
  private async keepNote(attempt: SendAttempt, job: SendJob, note: HandOverNote): Promise<void> {
    if (!attempt.keepNote) return;
    try {
      await attempt.keepNote(note);
    } catch (error) {
      this.deps.logger.warn(
        `Notification ${job.notificationId}: could not note the attempt's hand-over in the queue: ${describeError(error)}`,
      );
    }
  }

  /**
   * A message that was not simply queued: already sent (record the audit event if missing), done with, or
   * left `sending` — by an attempt of this job whose bookkeeping the database missed (the job's notes say
   * what happened), or by a worker that stopped mid-send. Returns it claimed when it is to be sent (again).
   */
  private async reclaim(
    job: SendJob,
    attempt: SendAttempt,
    token: string,
  ): Promise<NotificationRecord | null> {
    const { store, mailer, settings, now, logger } = this.deps;
    const record = await store.get(job.notificationId);
    if (!record || record.jobId !== job.jobId) return null;
    switch (record.status) {
      case 'queued':
        return store.claim(record.id, job.jobId, token);
      case 'skipped':
      case 'failed':
        return null;
      case 'sent':
        await this.audit(record);
        return null;
      case 'sending': {
        const note = attempt.notes?.find((each) => each.token === record.sendingToken);
        if (note?.handedOver === true) {
          // Handed over by an attempt of this job; only its bookkeeping was lost.
          const sent = await store.markSent(record.id, note.receipt, new Date(note.at));
          if (sent) await this.audit(sent);
          return null;
        }
        if (note?.handedOver === false) {
          // That attempt stopped before the hand-over: sending now cannot make a duplicate.
          const released = await store.markRetrying(
            record.id,
            'The previous attempt stopped before handing the message over (database unavailable)',
            note.token,
          );
          return released ? store.claim(record.id, job.jobId, token) : null;
        }
        if (now().getTime() - record.updatedAt.getTime() < settings.sendingTimeoutMs) {
          throw new Error('Another worker is sending this message');
        }
        const delivered = await mailer.wasDelivered(record.id);
        if (delivered) {
          const receipt = {
            messageId: messageIdFor(record.id, settings.mailFrom),
            response: delivered.response,
          };
          const sent = await store.markSent(record.id, receipt, now());
          if (sent) await this.audit(sent);
          return null;
        }
        if (delivered === undefined) {
          await store.markFailed(record.id, UNKNOWN_OUTCOME);
          logger.warn(`Notification ${record.id}: ${UNKNOWN_OUTCOME}`);
          return null;
        }
        await store.markRetrying(record.id, 'The previous attempt stopped before the message was written');
        return store.claim(record.id, job.jobId, token);
      }
    }
  }

  /** The message, or why it is no longer worth sending. */
  private async compose(record: NotificationRecord): Promise<OutgoingMail | string> {
    const { facts, store, settings, now } = this.deps;
    const loaded = await facts.partnership(record.partnershipId);
    if (!loaded) return 'partnership not found';
    const timer = record.source.kind === 'timer' ? await store.timer(record.source.id) : null;
    const composition = composeMessage({
      notification: record,
      facts: loaded.facts,
      event: record.source.kind === 'event' ? (loaded.events.get(record.source.id) ?? null) : null,
      timer,
      organizer: this.organizer,
      rsvp: repliesReachSomeone(this.deps.settings),
      now: now(),
      signatureReminderMax: settings.signatureReminderMax,
      observerEmails: settings.observerEmails,
    });
    if (composition.action === 'skip') return composition.reason;
    const { content } = composition;
    return {
      notificationId: record.id,
      messageId: messageIdFor(record.id, settings.mailFrom),
      from: settings.mailFrom,
      to: { name: record.recipient.name, address: record.recipient.email },
      subject: content.subject,
      text: content.text,
      html: content.html,
      calendar: content.calendar,
      language: record.recipient.language,
      headers: { 'X-Passerelle-Notification': record.id, 'X-Passerelle-Template': record.template },
    };
  }

  /** Records the delivery in the log, once (the event id derives from the notification). */
  private async audit(record: NotificationRecord): Promise<void> {
    if (record.auditPosition !== null || record.status !== 'sent') return;
    const result = await this.deps.events.appendToStream(
      notificationStreamFor(record.partnershipId),
      [
        {
          id: sentEventIdFor(record.id),
          type: NOTIFICATION_SENT,
          version: 1,
          data: {
            notificationId: record.id,
            partnershipId: record.partnershipId,
            template: record.template,
            subjectId: record.subjectId,
            source: record.source,
            sourcePosition: record.position,
            // The address stays out of the immutable log (personal data): the party, and the keyed subject
            // the person is known by (as in PersonForgotten), say who was told.
            recipient: {
              organizationId: record.recipient.organizationId,
              language: record.recipient.language,
              subject: this.deps.subjectOf(record.recipient.email),
            },
            messageId: record.messageId,
            smtpResponse: record.smtpResponse,
            sentAt: record.sentAt?.toISOString() ?? null,
          },
          metadata: {
            actor: { sub: 'passerelle-notifications', name: 'Notification worker', roles: [] },
            causationId: record.source.id,
          },
        },
      ],
      'any',
    );
    await this.deps.store.markAudited(record.id, result.position);
  }

  async timer(job: TimerJob): Promise<TimerResult> {
    const { store, facts, queue, expiry, settings, now } = this.deps;
    const timer = await store.timer(job.timerId);
    if (!timer || timer.status !== 'pending') return undefined;
    const loaded = await facts.partnership(timer.partnershipId);
    const decision = fireTimer(timer, loaded?.facts ?? null, { now: now(), settings });
    switch (decision.action) {
      case 'wait':
        return { retryAt: decision.until };
      case 'skip':
        await store.finishTimer(timer.id, 'skipped', decision.reason);
        return undefined;
      case 'expire': {
        const outcome = await expiry.expire(timer.partnershipId, decision.agreementId);
        if (outcome === 'not_due') return { retryAt: new Date(now().getTime() + 60_000) };
        await store.finishTimer(timer.id, outcome === 'refused' ? 'skipped' : 'done', `expiry: ${outcome}`);
        return undefined;
      }
      case 'notify': {
        await store.record(decision.notifications, []);
        const open = await store.queuedFrom(timer.id);
        await queue.enqueueSends(open.map(sendJobOf));
        await store.finishTimer(timer.id, 'done', `${decision.notifications.length} message(s)`);
        return undefined;
      }
    }
  }
}
