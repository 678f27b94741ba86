import { randomUUID } from 'node:crypto';
import { createSqlClient, StoreUnavailableError } from '@passerelle/database';
import { NOTIFICATION_SENT, notificationStreamFor, NotificationStore } from '@passerelle/notifications';
import { SmtpSink } from '@passerelle/notifications/testing/smtp-sink';
import { duplicates, notificationIdOf, NotificationsApp, POSTGRES_URL } from './notifications-support';

const DAY = 24 * 3_600_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/**
 * The real SQL store, with one statement per message made to fail as it does at a PostgreSQL failover:
 * the first `claim` of each message commits and then the answer is lost (commit in doubt), or the first
 * `markSent` never reaches the database. PostgreSQL, Redis (BullMQ) and the SMTP server stay real.
 */
function failOncePerMessage(store: NotificationStore, method: 'claim' | 'markSent'): Set<string> {
  const failed = new Set<string>();
  if (method === 'claim') {
    const claim = store.claim.bind(store);
    store.claim = async (id, jobId, token) => {
      const claimed = await claim(id, jobId, token);
      if (claimed && !failed.has(id)) {
        failed.add(id);
        throw new StoreUnavailableError('Connection terminated unexpectedly (after the commit)');
      }
      return claimed;
    };
  } else {
    const markSent = store.markSent.bind(store);
    store.markSent = async (id, receipt, at) => {
      if (!failed.has(id)) {
        failed.add(id);
        throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:5432');
      }
      return markSent(id, receipt, at);
    };
  }
  return failed;
}

describe.each(['claim', 'markSent'] as const)('E-mails at a PostgreSQL failover: %s fails', (method) => {
  const schema = `notif_fo_${method.toLowerCase()}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({ smtpUrl: smtp.url, postgresSchema: schema });
  });
  afterAll(async () => {
    await ctx?.close();
    const admin = await createSqlClient({ databaseUrl: POSTGRES_URL, schema: 'public' });
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.close();
    await smtp?.close();
  });

  it('sends every message exactly once, records it sent with its receipt and audits it once', async () => {
    const failed = failOncePerMessage(ctx.store, method);
    const { id, us, fr } = await ctx.newPartnership();
    const attendees = [us.contacts[0]!.email, fr.contacts[0]!.email];
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: inDays(10), attendees })
      .expect(201);
    await smtp.waitForCount(2, 60_000);
    await ctx.settle(60_000);

    const records = await ctx.notifications(id);
    expect(records).toHaveLength(2);
    // Every message met the failure once…
    expect([...failed].sort()).toEqual(records.map((record) => record.id).sort());
    // …and was nevertheless delivered once, never listed "outcome unknown".
    expect(duplicates(smtp.received)).toEqual([]);
    expect(smtp.received.map(notificationIdOf).sort()).toEqual([...failed].sort());
    for (const record of records) {
      expect(record).toMatchObject({ status: 'sent', lastError: null });
      const mail = smtp.received.find((each) => notificationIdOf(each) === record.id)!;
      expect(record.messageId).toBe(mail.parsed.messageId);
      // The receipt is the server's own answer to that message (the sink names each message it queues).
      expect(record.smtpResponse).toMatch(/^250 .*SINK[12]\b/);
    }
    const receipts = new Set(records.map((record) => record.smtpResponse));
    expect(receipts.size).toBe(2);

    const audit = await ctx.events.readStream(notificationStreamFor(id));
    expect(audit.map((event) => event.type)).toEqual([NOTIFICATION_SENT, NOTIFICATION_SENT]);
    expect(audit.map((event) => event.data.notificationId).sort()).toEqual([...failed].sort());
  });
});
