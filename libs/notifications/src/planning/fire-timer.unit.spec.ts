import {
  AGREEMENT_ID,
  agreementDrafted,
  agreementSigned,
  attendee,
  event,
  histories,
  MEETING_ID,
  meetingScheduled,
  suspended,
  withdrawn,
} from '@passerelle/domain/testing/fixtures';
import { notificationIdFor, timerIdFor } from '../ids';
import type { PlannedTimer, TimerData } from '../model';
import { fireTimer } from './fire-timer';
import { at, context, DAY, factsFrom, HOUR, IHUB, NOW, POLE } from './testing/fixtures';

const timer = (data: TimerData, dueAt: Date = NOW): PlannedTimer => ({
  id: timerIdFor(data.kind, JSON.stringify(data)),
  partnershipId: '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001',
  dueAt,
  position: 7,
  data,
});

describe('fireTimer: meeting reminders', () => {
  const upcoming = meetingScheduled({
    startsAt: at(DAY),
    endsAt: at(DAY + HOUR),
    attendees: [attendee(IHUB), attendee(POLE)],
  });
  const reminder = timer({ kind: 'meeting_reminder', meetingId: MEETING_ID, sequence: 0 });

  it('reminds the attendees of a meeting still as it was', () => {
    const decision = fireTimer(reminder, factsFrom([...histories.proposed(), upcoming]), context());
    expect(decision).toMatchObject({ action: 'notify' });
    if (decision.action !== 'notify') throw new Error();
    expect(decision.notifications.map((n) => [n.recipient.email, n.template, n.source])).toEqual([
      ['alice@ihub.example.org', 'meeting.reminder', { kind: 'timer', id: reminder.id }],
      ['bruno@polemer.example.fr', 'meeting.reminder', { kind: 'timer', id: reminder.id }],
    ]);
    expect(decision.notifications[0]!.id).toBe(
      notificationIdFor(reminder.id, 'alice@ihub.example.org', 'meeting.reminder'),
    );
  });

  it('does not remind of a meeting moved or cancelled since', () => {
    const moved = event('IntroductionMeetingRescheduled', {
      ...upcoming.data,
      startsAt: at(2 * DAY),
      endsAt: at(2 * DAY + HOUR),
      previousStartsAt: upcoming.data.startsAt,
      previousEndsAt: upcoming.data.endsAt,
      sequence: 1,
    });
    expect(fireTimer(reminder, factsFrom([...histories.proposed(), upcoming, moved]), context())).toEqual({
      action: 'skip',
      reason: 'meeting rescheduled since',
    });
    const cancelled = event('IntroductionMeetingCancelled', {
      ...upcoming.data,
      sequence: 1,
      reason: 'Strike',
    });
    expect(fireTimer(reminder, factsFrom([...histories.proposed(), upcoming, cancelled]), context())).toEqual(
      {
        action: 'skip',
        reason: 'meeting cancelled',
      },
    );
  });

  it('waits when fired early, and drops a reminder that comes due far too late', () => {
    expect(
      fireTimer(
        { ...reminder, dueAt: new Date(at(HOUR)) },
        factsFrom([...histories.proposed(), upcoming]),
        context(),
      ),
    ).toEqual({
      action: 'wait',
      until: new Date(at(HOUR)),
    });
    const later = meetingScheduled({ startsAt: at(10 * DAY), endsAt: at(10 * DAY + HOUR) });
    expect(
      fireTimer(
        { ...reminder, dueAt: new Date(at(-4 * DAY)) },
        factsFrom([...histories.proposed(), later]),
        context(),
      ),
    ).toMatchObject({
      action: 'skip',
      reason: expect.stringContaining('too late'),
    });
  });
});

describe('fireTimer: signature reminders', () => {
  const nudge = timer({
    kind: 'signature_reminder',
    document: 'agreement',
    documentId: AGREEMENT_ID,
    amendment: 0,
    reminder: 2,
  });

  it('reminds only the signatories still to sign', () => {
    const facts = factsFrom([
      ...histories.introduced(),
      agreementDrafted(),
      agreementSigned(IHUB, '2025-03-04', [POLE.id]),
    ]);
    const decision = fireTimer(nudge, facts, context());
    if (decision.action !== 'notify') throw new Error(JSON.stringify(decision));
    expect(decision.notifications.map((n) => [n.recipient.email, n.recipient.language, n.template])).toEqual([
      ['bruno@polemer.example.fr', 'fr', 'signature.reminder'],
    ]);
  });

  it('stops once executed, amended, on hold or withdrawn', () => {
    expect(fireTimer(nudge, factsFrom(histories.agreementExecuted()), context())).toMatchObject({
      action: 'skip',
    });
    const amended = event('AgreementAmended', {
      agreementId: AGREEMENT_ID,
      reason: 'r',
      amendment: 1,
      title: 't',
      scope: null,
      termMonths: 12,
      signatories: [IHUB.id, POLE.id],
      clearedSignatures: [],
    });
    expect(fireTimer(nudge, factsFrom([...histories.agreementDrafted(), amended]), context())).toMatchObject({
      action: 'skip',
    });
    expect(
      fireTimer(nudge, factsFrom([...histories.agreementDrafted(), suspended('introduced')]), context()),
    ).toEqual({
      action: 'skip',
      reason: 'partnership on hold',
    });
    expect(fireTimer(nudge, factsFrom([...histories.agreementDrafted(), withdrawn()]), context())).toEqual({
      action: 'skip',
      reason: 'partnership withdrawn',
    });
  });
});

describe('fireTimer: agreements', () => {
  it('expires an executed agreement at the end of its term, once', () => {
    const expiry = timer({ kind: 'agreement_expiry', agreementId: AGREEMENT_ID, expiresOn: '2025-03-10' });
    expect(fireTimer(expiry, factsFrom(histories.agreementExecuted()), context())).toEqual({
      action: 'expire',
      agreementId: AGREEMENT_ID,
    });
    const expired = event('AgreementExpired', {
      agreementId: AGREEMENT_ID,
      title: 't',
      expiresOn: '2025-03-10',
    });
    expect(fireTimer(expiry, factsFrom([...histories.agreementExecuted(), expired]), context())).toEqual({
      action: 'skip',
      reason: 'agreement already expired',
    });
  });

  it('expires even long after the date (the service was down), unlike reminders', () => {
    const expiry = timer(
      { kind: 'agreement_expiry', agreementId: AGREEMENT_ID, expiresOn: '2024-03-10' },
      new Date('2024-03-10T00:00:00Z'),
    );
    expect(fireTimer(expiry, factsFrom(histories.agreementExecuted()), context())).toMatchObject({
      action: 'expire',
    });
  });

  it('sends the renewal reminder to the contacts of every party while the agreement is in force', () => {
    const renewal = timer({ kind: 'renewal_reminder', agreementId: AGREEMENT_ID, expiresOn: '2027-03-05' });
    const decision = fireTimer(renewal, factsFrom(histories.agreementExecuted()), context());
    if (decision.action !== 'notify') throw new Error(JSON.stringify(decision));
    expect(decision.notifications.map((n) => n.recipient.email).sort()).toEqual([
      'alice@ihub.example.org',
      'bruno@polemer.example.fr',
      'claire@maregionsud.example.fr',
      'intl@gobiz.example.org',
    ]);
    expect(new Set(decision.notifications.map((n) => n.template))).toEqual(new Set(['agreement.renewal']));
  });
});
