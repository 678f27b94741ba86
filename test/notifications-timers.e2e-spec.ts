import type { SqlClient } from '@passerelle/database';
import { BullmqNotificationQueue } from '@passerelle/notifications';
import { SmtpSink } from '@passerelle/notifications/testing/smtp-sink';
import { SQL_CLIENT } from '@passerelle/application';
import { DAY, duplicates, HOUR, NotificationsApp } from './notifications-support';

const LEAD = HOUR;
const at = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const subjects = (smtp: SmtpSink, address: string) =>
  smtp.to(address).map((mail) => mail.parsed.subject ?? '');

/** Reminders with their delays shortened by configuration: the meeting lead, the signature interval. */
describe('Notification timers (BullMQ delayed jobs)', () => {
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({
      smtpUrl: smtp.url,
      settings: { meetingReminderLeadMs: LEAD, signatureReminderIntervalMs: 1500, signatureReminderMax: 3 },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
  });
  beforeEach(() => smtp.clear());

  it('reminds the attendees of a meeting the configured lead before it, once, in their language', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    const attendees = [us.contacts[0]!.email, fr.contacts[0]!.email];
    await ctx
      .as('officer')
      // The reminder is due 10 s from now: room for the invitations to settle first on a loaded machine.
      .post(`/api/partnerships/${id}/meetings`, { startsAt: at(Date.now() + LEAD + 10_000), attendees })
      .expect(201);
    await ctx.settle();
    expect(smtp.received.every((mail) => mail.parsed.subject?.startsWith('Invitation'))).toBe(true);
    expect(smtp.received).toHaveLength(2);
    await smtp.waitForCount(4, 30_000);
    await sleep(500);
    await ctx.settle();
    expect(subjects(smtp, attendees[0]!)).toEqual([
      'Invitation: introduction meeting, Blue economy pilot',
      'Reminder: introduction meeting, Blue economy pilot',
    ]);
    expect(subjects(smtp, attendees[1]!)[1]).toBe('Rappel : réunion d’introduction, Blue economy pilot');
    expect(smtp.received).toHaveLength(4);
  });

  it('sends no reminder for the old time of a moved meeting, nor for a cancelled one', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    const attendees = [us.contacts[0]!.email, fr.contacts[0]!.email];
    const moved = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: at(Date.now() + LEAD + 1500), attendees })
      .expect(201);
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings/${moved.body.meetingId}/reschedule`, {
        startsAt: at(Date.now() + LEAD + 4000),
      })
      .expect(200);
    const cancelled = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: at(Date.now() + LEAD + 1500), attendees })
      .expect(201);
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings/${cancelled.body.meetingId}/cancel`, {
        reason: 'No longer needed',
      })
      .expect(200);
    await sleep(5500);
    await ctx.settle();
    const reminders = smtp.received.filter((mail) => /^(Reminder|Rappel)/.test(mail.parsed.subject ?? ''));
    expect(reminders).toHaveLength(2);
    const records = await ctx.notifications(id);
    expect(records.filter((n) => n.template === 'meeting.reminder').map((n) => n.subjectId)).toEqual([
      moved.body.meetingId,
      moved.body.meetingId,
    ]);
    const timers = await ctx.app
      .get<SqlClient>(SQL_CLIENT)
      .query<{ status: string; outcome: string }>(
        'SELECT status, outcome FROM notification_timers WHERE partnership_id = $1 ORDER BY outcome',
        [id],
      );
    expect(timers).toEqual(
      expect.arrayContaining([
        { status: 'skipped', outcome: 'meeting rescheduled since' },
        { status: 'skipped', outcome: 'meeting cancelled' },
        { status: 'done', outcome: '2 message(s)' },
      ]),
    );
  });

  it('reminds the signatories still to sign every interval, at most three times, and stops once signed', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    await ctx.introduce(id, [us.contacts[0]!.email]);
    const agreementId = await ctx.draftAgreement(id, [us.id, fr.id]);
    await ctx.sign(id, agreementId, us.id);
    await sleep(1500 * 3 + 1500);
    await ctx.settle();
    const french = subjects(smtp, fr.contacts[0]!.email).filter((subject) => subject.startsWith('Rappel'));
    expect(french).toEqual([
      'Rappel 1/3 : signature attendue, Cluster cooperation',
      'Rappel 2/3 : signature attendue, Cluster cooperation',
      'Rappel 3/3 : signature attendue, Cluster cooperation',
    ]);
    expect(subjects(smtp, us.contacts[0]!.email).filter((subject) => subject.startsWith('Reminder'))).toEqual(
      [],
    );

    smtp.clear();
    const second = await ctx.draftAgreement(id, [us.id, fr.id]);
    await smtp.waitForCount(4, 10_000);
    await ctx.sign(id, second, us.id);
    await ctx.sign(id, second, fr.id);
    await ctx.settle();
    const afterSigning = smtp.received.length;
    await sleep(1500 * 3);
    await ctx.settle();
    // Both were reminded once before signing; nothing came after.
    const reminders = smtp.received.filter((mail) => /^(Reminder|Rappel)/.test(mail.parsed.subject ?? ''));
    expect(reminders.map((mail) => mail.parsed.subject?.match(/\d\/3/)?.[0])).toEqual(['1/3', '1/3']);
    expect(smtp.received.length).toBe(afterSigning);
    expect(duplicates(smtp.received)).toEqual([]);
  });

  it('sends the renewal reminder at once when the term is shorter than the lead', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    await ctx.introduce(id, [us.contacts[0]!.email]);
    const agreementId = await ctx.draftAgreement(id, [us.id, fr.id], 1);
    await ctx.settle();
    smtp.clear();
    await ctx.sign(id, agreementId, us.id);
    await ctx.sign(id, agreementId, fr.id);
    await ctx.settle();
    await sleep(300);
    await ctx.settle();
    expect(subjects(smtp, us.contacts[0]!.email).sort()).toEqual([
      'Agreement signed: Cluster cooperation',
      expect.stringMatching(/^Renewal: Cluster cooperation expires on /),
    ]);
    expect(subjects(smtp, fr.contacts[0]!.email)).toContainEqual(
      expect.stringMatching(/^Renouvellement : Cluster cooperation expire le /),
    );
  });

  it('appends AgreementExpired through the command path at the end of the term, without e-mailing history', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    await ctx.introduce(id, [us.contacts[0]!.email], 70);
    const twoMonthsAgo = new Date(Date.now() - 62 * DAY).toISOString().slice(0, 10);
    const agreementId = await ctx.draftAgreement(id, [us.id, fr.id], 1, twoMonthsAgo);
    await ctx.settle();
    smtp.clear();
    await ctx.sign(id, agreementId, us.id, twoMonthsAgo);
    await ctx.sign(id, agreementId, fr.id, twoMonthsAgo);
    const deadline = Date.now() + 15_000;
    let status = '';
    while (status !== 'expired' && Date.now() < deadline) {
      const state = await ctx.as('officer').get(`/api/partnerships/${id}/state`).expect(200);
      status = (state.body.agreements as { agreementId: string; status: string }[]).find(
        (agreement) => agreement.agreementId === agreementId,
      )!.status;
      await sleep(100);
    }
    expect(status).toBe('expired');
    const events = await ctx.events.readStream(`partnership-${id}`);
    const expired = events.filter((event) => event.type === 'AgreementExpired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.metadata.actor).toMatchObject({ sub: 'passerelle-scheduler' });
    await ctx.settle();
    // Executed two months ago: history, not news; its renewal point passed long ago.
    expect(smtp.received).toEqual([]);
  });
});

describe('Notification timers when Redis lost them', () => {
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
  });

  it('re-derives pending timers from SQL on start: the reminder still comes, once', async () => {
    ctx = await NotificationsApp.start({ smtpUrl: smtp.url, settings: { meetingReminderLeadMs: LEAD } });
    const { id, us } = await ctx.newPartnership();
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: at(Date.now() + LEAD + 5000),
        attendees: [us.contacts[0]!.email],
      })
      .expect(201);
    await ctx.settle();
    expect((await ctx.queue.counts()).timers.delayed).toBe(1);
    await ctx.stop();
    // Redis loses everything it held for this deployment.
    const redis = new BullmqNotificationQueue({
      redisUrl: ctx.settings.redisUrl,
      prefix: ctx.settings.queuePrefix,
      attempts: 1,
      backoffMs: 1,
      concurrency: 1,
      keepCompletedSeconds: 1,
    });
    await redis.obliterate();
    expect((await redis.counts()).timers.delayed).toBe(0);
    await redis.close();

    ctx = await NotificationsApp.start({
      smtpUrl: smtp.url,
      dataDir: ctx.dataDir,
      settings: { meetingReminderLeadMs: LEAD },
    });
    await ctx.settle();
    // Offered to the queue again by the reconciliation (at start, or at the next periodic check once it
    // is due within two intervals): the reminder still comes, once.
    await smtp.waitForCount(2, 15_000);
    await sleep(500);
    expect(smtp.received.map((mail) => mail.parsed.subject)).toEqual([
      'Invitation: introduction meeting, Blue economy pilot',
      'Reminder: introduction meeting, Blue economy pilot',
    ]);
  });
});
