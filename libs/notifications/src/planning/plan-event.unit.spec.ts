import {
  AGREEMENT_ID,
  agreementDrafted,
  agreementExecuted,
  agreementSigned,
  attendee,
  event,
  histories,
  MEETING_ID,
  meetingScheduled,
  MOU_ID,
  mouDrafted,
  OBSERVER,
  projectLaunched,
  withdrawn,
} from '@passerelle/domain/testing/fixtures';
import { notificationIdFor, timerIdFor } from '../ids';
import { at, context, DAY, envelope, factsFrom, HOUR, IHUB, NOW, POLE } from './testing/fixtures';
import { planEvent } from './plan-event';

const emails = (plan: ReturnType<typeof planEvent>) =>
  plan.notifications.map((n) => n.recipient.email).sort();

describe('planEvent: meetings', () => {
  const upcoming = meetingScheduled({
    startsAt: at(3 * DAY),
    endsAt: at(3 * DAY + HOUR),
    attendees: [attendee(IHUB), attendee(POLE)],
  });

  it('invites the attendees of an upcoming meeting, each in their language, and sets the 24 h reminder', () => {
    const scheduled = envelope(upcoming);
    const plan = planEvent(scheduled, factsFrom([...histories.proposed(), upcoming]), context());
    expect(plan.notifications.map((n) => [n.recipient.email, n.recipient.language, n.template])).toEqual([
      ['alice@ihub.example.org', 'en', 'meeting.invitation'],
      ['bruno@polemer.example.fr', 'fr', 'meeting.invitation'],
    ]);
    expect(plan.notifications[0]!.id).toBe(
      notificationIdFor(scheduled.id, 'alice@ihub.example.org', 'meeting.invitation'),
    );
    expect(plan.timers).toEqual([
      expect.objectContaining({
        id: timerIdFor('meeting_reminder', MEETING_ID, 0),
        dueAt: new Date(at(2 * DAY)),
        data: { kind: 'meeting_reminder', meetingId: MEETING_ID, sequence: 0 },
      }),
    ]);
  });

  it('gives the same ids when the same event is planned again (replay, restart)', () => {
    const scheduled = envelope(upcoming);
    const facts = factsFrom([...histories.proposed(), upcoming]);
    expect(planEvent(scheduled, facts, context())).toEqual(planEvent(scheduled, facts, context()));
  });

  it('sends nothing for a meeting recorded after the fact, nor sets a reminder', () => {
    const past = meetingScheduled({ invitations: false });
    const plan = planEvent(envelope(past), factsFrom([...histories.proposed(), past]), context());
    expect(plan).toEqual({ notifications: [], timers: [] });
  });

  it('sends nothing for an event older than the cut-off (the log replayed on a first start)', () => {
    const upcomingData = meetingScheduled({ startsAt: at(3 * DAY), endsAt: at(3 * DAY + HOUR) }).data;
    const decidedLongAgo = event('IntroductionMeetingScheduled', upcomingData, at(-40 * DAY));
    const plan = planEvent(
      envelope(decidedLongAgo),
      factsFrom([...histories.proposed(), decidedLongAgo]),
      context(),
    );
    expect(plan.notifications).toEqual([]);
    expect(plan.timers).toHaveLength(1);
  });

  it('updates with the new sequence, and skips an invitation that a later change superseded', () => {
    const moved = event('IntroductionMeetingRescheduled', {
      ...upcoming.data,
      startsAt: at(4 * DAY),
      endsAt: at(4 * DAY + HOUR),
      previousStartsAt: upcoming.data.startsAt,
      previousEndsAt: upcoming.data.endsAt,
      sequence: 1,
    });
    const facts = factsFrom([...histories.proposed(), upcoming, moved]);
    expect(planEvent(envelope(upcoming), facts, context()).notifications).toEqual([]);
    const plan = planEvent(envelope(moved), facts, context());
    expect(plan.notifications.map((n) => n.template)).toEqual(['meeting.updated', 'meeting.updated']);
    expect(plan.timers.map((t) => t.id)).toEqual([timerIdFor('meeting_reminder', MEETING_ID, 1)]);
  });

  it('sends the cancellation to the attendees and sets no reminder', () => {
    const cancelled = event('IntroductionMeetingCancelled', {
      ...upcoming.data,
      sequence: 1,
      reason: 'Strike',
    });
    const plan = planEvent(
      envelope(cancelled),
      factsFrom([...histories.proposed(), upcoming, cancelled]),
      context(),
    );
    expect(plan.notifications.map((n) => n.template)).toEqual(['meeting.cancelled', 'meeting.cancelled']);
    expect(plan.timers).toEqual([]);
  });

  it('sets no reminder for a meeting less than the lead time ahead', () => {
    const soon = meetingScheduled({ startsAt: at(2 * HOUR), endsAt: at(3 * HOUR) });
    const plan = planEvent(envelope(soon), factsFrom([...histories.proposed(), soon]), context());
    expect(plan.notifications).toHaveLength(2);
    expect(plan.timers).toEqual([]);
  });
});

describe('planEvent: signatures', () => {
  it('asks each signatory still to sign, after the grace delay, and sets three reminders a week apart', () => {
    const drafted = agreementDrafted();
    const plan = planEvent(envelope(drafted), factsFrom([...histories.introduced(), drafted]), context());
    expect(emails(plan)).toEqual(['alice@ihub.example.org', 'bruno@polemer.example.fr']);
    expect(
      plan.notifications.every((n) => n.template === 'signature.request' && n.subjectId === AGREEMENT_ID),
    ).toBe(true);
    expect(plan.notifications[0]!.notBefore).toEqual(new Date(NOW.getTime() + 5 * 60_000));
    expect(plan.timers.map((t) => [t.dueAt.toISOString(), t.data])).toEqual(
      [1, 2, 3].map((n) => [
        at(n * 7 * DAY),
        {
          kind: 'signature_reminder',
          document: 'agreement',
          documentId: AGREEMENT_ID,
          amendment: 0,
          reminder: n,
        },
      ]),
    );
  });

  it('does not ask those who signed meanwhile (signatures entered right after the draft)', () => {
    const drafted = agreementDrafted();
    const facts = factsFrom([
      ...histories.introduced(),
      drafted,
      agreementSigned(IHUB, '2025-03-04', [POLE.id]),
    ]);
    expect(emails(planEvent(envelope(drafted), facts, context()))).toEqual(['bruno@polemer.example.fr']);
  });

  it('asks again after an amendment, for the new version only', () => {
    const drafted = agreementDrafted();
    const amended = event('AgreementAmended', {
      agreementId: AGREEMENT_ID,
      reason: 'Scope widened',
      amendment: 1,
      title: 'Cluster cooperation agreement',
      scope: 'Wider',
      termMonths: 24,
      signatories: [IHUB.id, POLE.id],
      clearedSignatures: [IHUB.id],
    });
    const facts = factsFrom([
      ...histories.introduced(),
      drafted,
      agreementSigned(IHUB, '2025-03-04', [POLE.id]),
      amended,
    ]);
    expect(planEvent(envelope(drafted), facts, context()).notifications).toEqual([]);
    const plan = planEvent(envelope(amended), facts, context());
    expect(emails(plan)).toEqual(['alice@ihub.example.org', 'bruno@polemer.example.fr']);
    expect(plan.timers.every((t) => t.data.kind === 'signature_reminder' && t.data.amendment === 1)).toBe(
      true,
    );
  });

  it('asks the MOU signatories', () => {
    const drafted = mouDrafted();
    const plan = planEvent(envelope(drafted), factsFrom([...histories.mouDrafted()]), context());
    expect(emails(plan)).toEqual(['claire@maregionsud.example.fr', 'intl@gobiz.example.org']);
    expect(plan.timers[0]!.data).toMatchObject({ document: 'mou', documentId: MOU_ID });
  });
});

describe('planEvent: notices and agreement timers', () => {
  const allParties = [
    'alice@ihub.example.org',
    'bruno@polemer.example.fr',
    'claire@maregionsud.example.fr',
    'intl@gobiz.example.org',
    OBSERVER,
  ].sort();

  it('tells every party contact and the observers, once per address, of an executed agreement', () => {
    const executed = agreementExecuted('2025-03-05', '2027-03-05');
    const plan = planEvent(envelope(executed), factsFrom(histories.agreementExecuted()), context());
    expect(emails(plan)).toEqual(allParties);
    // alice is both a contact and an observer: her contact language wins.
    expect(
      plan.notifications.find((n) => n.recipient.email === 'alice@ihub.example.org')!.recipient
        .organizationId,
    ).toBe(IHUB.id);
    expect(plan.timers.map((t) => [t.data.kind, t.dueAt.toISOString()])).toEqual([
      ['agreement_expiry', '2027-03-05T00:00:00.000Z'],
      ['renewal_reminder', new Date(Date.parse('2027-03-05T00:00:00Z') - 60 * DAY).toISOString()],
    ]);
  });

  it('treats an agreement executed long ago (signatures dated in the past) as history, but still times its expiry', () => {
    const executed = agreementExecuted('2016-06-15', '2026-12-15');
    const plan = planEvent(envelope(executed), factsFrom(histories.agreementExecuted()), context());
    expect(plan.notifications).toEqual([]);
    expect(plan.timers.map((t) => t.data.kind)).toEqual(['agreement_expiry', 'renewal_reminder']);
  });

  it('sends the renewal reminder with the news when the term is shorter than the lead', () => {
    const executed = agreementExecuted('2025-03-10', '2025-04-10');
    const plan = planEvent(envelope(executed), factsFrom(histories.agreementExecuted()), context());
    expect(plan.timers.find((t) => t.data.kind === 'renewal_reminder')!.dueAt).toEqual(NOW);
  });

  it('announces a launched project and a withdrawal; a project that started long ago is history', () => {
    const launched = projectLaunched();
    expect(emails(planEvent(envelope(launched), factsFrom(histories.projectActive()), context()))).toEqual(
      allParties,
    );
    const old = event('JointProjectLaunched', { ...launched.data, startsOn: '2017-01-09' });
    expect(planEvent(envelope(old), factsFrom(histories.projectActive()), context()).notifications).toEqual(
      [],
    );
    const gone = withdrawn();
    const plan = planEvent(envelope(gone), factsFrom([...histories.proposed(), gone]), context());
    expect(plan.notifications.every((n) => n.template === 'partnership.withdrawn')).toBe(true);
    expect(emails(plan)).toEqual(allParties);
  });

  it('treats a step recorded today with a business date long past as history: no request, no notice', () => {
    const oldDraft = agreementDrafted({ on: '2016-12-01' });
    const drafted = planEvent(
      envelope(oldDraft),
      factsFrom([...histories.introduced(), oldDraft]),
      context(),
    );
    expect(drafted.notifications).toEqual([]);
    const oldWithdrawal = event('PartnershipWithdrawn', { ...withdrawn().data, on: '2018-06-01' });
    const gone = planEvent(
      envelope(oldWithdrawal),
      factsFrom([...histories.proposed(), oldWithdrawal]),
      context(),
    );
    expect(gone.notifications).toEqual([]);
  });

  it('sends nothing for events outside the table', () => {
    for (const quiet of [histories.proposed()[0]!, agreementSigned(IHUB, '2025-03-04', [POLE.id])]) {
      expect(planEvent(envelope(quiet), factsFrom(histories.agreementExecuted()), context())).toEqual({
        notifications: [],
        timers: [],
      });
    }
  });
});
