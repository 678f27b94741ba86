import { ERASED } from '@passerelle/domain';
import {
  AGREEMENT_ID,
  agreementDrafted,
  agreementSigned,
  attendee,
  event,
  histories,
  MEETING_ID,
  meetingScheduled,
} from '@passerelle/domain/testing/fixtures';
import { unfoldCalendar } from '../ical/icalendar';
import { notificationIdFor, timerIdFor } from '../ids';
import type { PlannedNotification, PlannedTimer, Template } from '../model';
import { composeMessage, CompositionInput, meetingUid } from './compose-message';
import type { PartnershipFacts } from './facts';
import { at, DAY, factsFrom, HOUR, IHUB, NOW, POLE } from './testing/fixtures';

const upcoming = meetingScheduled({
  startsAt: at(3 * DAY),
  endsAt: at(3 * DAY + HOUR),
  timezone: 'Europe/Paris',
  attendees: [attendee(IHUB), attendee(POLE)],
});

const notification = (
  template: Template,
  to: 'ihub' | 'pole',
  overrides: Partial<PlannedNotification> = {},
): PlannedNotification => {
  const org = to === 'ihub' ? IHUB : POLE;
  const contact = org.contacts[0]!;
  return {
    id: notificationIdFor('source', contact.email, template),
    partnershipId: '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001',
    source: { kind: 'event', id: 'source' },
    position: 9,
    template,
    subjectId: MEETING_ID,
    recipient: {
      email: contact.email,
      name: contact.name,
      language: contact.language,
      organizationId: org.id,
    },
    notBefore: null,
    ...overrides,
  };
};

const input = (
  overrides: Partial<CompositionInput> & Pick<CompositionInput, 'notification' | 'facts'>,
): CompositionInput => ({
  event: null,
  timer: null,
  organizer: { email: 'no-reply@passerelle.test', name: 'Passerelle' },
  now: NOW,
  signatureReminderMax: 3,
  observerEmails: [],
  ...overrides,
});

describe('composeMessage', () => {
  it('renders an invitation in the recipient’s language with the meeting’s calendar', () => {
    const facts = factsFrom([...histories.proposed(), upcoming]);
    const result = composeMessage(
      input({ notification: notification('meeting.invitation', 'pole'), facts, event: upcoming }),
    );
    if (result.action !== 'send') throw new Error(result.reason);
    expect(result.content.subject).toBe('Invitation : réunion d’introduction, Blue economy bridge');
    expect(result.content.calendar?.method).toBe('REQUEST');
    const lines = unfoldCalendar(result.content.calendar!.content);
    expect(lines).toEqual(
      expect.arrayContaining([
        `UID:${meetingUid(MEETING_ID)}`,
        'SEQUENCE:0',
        `DTSTAMP:${'20250310T090000Z'}`,
      ]),
    );
    expect(lines.filter((line) => line.startsWith('ATTENDEE'))).toHaveLength(2);
  });

  it('renders a cancellation as an iTIP CANCEL with the event’s sequence', () => {
    const cancelled = event('IntroductionMeetingCancelled', {
      ...upcoming.data,
      sequence: 1,
      reason: 'Strike',
    });
    const facts = factsFrom([...histories.proposed(), upcoming, cancelled]);
    const result = composeMessage(
      input({ notification: notification('meeting.cancelled', 'ihub'), facts, event: cancelled }),
    );
    if (result.action !== 'send') throw new Error(result.reason);
    expect(result.content.calendar?.method).toBe('CANCEL');
    expect(unfoldCalendar(result.content.calendar!.content)).toEqual(
      expect.arrayContaining(['METHOD:CANCEL', 'SEQUENCE:1']),
    );
    expect(result.content.text).toContain('Reason: Strike');
  });

  it('skips a signature request the signatory has answered meanwhile, and names the amendment otherwise', () => {
    const drafted = agreementDrafted();
    const request = notification('signature.request', 'ihub', { subjectId: AGREEMENT_ID });
    const signed = factsFrom([
      ...histories.introduced(),
      drafted,
      agreementSigned(IHUB, '2025-03-04', [POLE.id]),
    ]);
    expect(composeMessage(input({ notification: request, facts: signed, event: drafted }))).toEqual({
      action: 'skip',
      reason: 'signature no longer awaited',
    });
    const amended = event('AgreementAmended', {
      agreementId: AGREEMENT_ID,
      reason: 'Wider scope',
      amendment: 1,
      title: 'Cluster cooperation agreement',
      scope: null,
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
    const result = composeMessage(input({ notification: request, facts, event: amended }));
    if (result.action !== 'send') throw new Error(result.reason);
    expect(result.content.text).toContain('was amended (Wider scope)');
  });

  it('sends nothing to an address that is no longer listed (a forgotten person reads as erased)', () => {
    const forgotten = meetingScheduled({
      ...upcoming.data,
      attendees: [{ ...attendee(IHUB), email: ERASED, name: ERASED }, attendee(POLE)],
    });
    const facts = factsFrom([...histories.proposed(), forgotten]);
    expect(
      composeMessage(
        input({ notification: notification('meeting.invitation', 'ihub'), facts, event: forgotten }),
      ),
    ).toMatchObject({
      action: 'skip',
    });
    // The message's own address erased (its key gone), though erased attendees are listed too.
    const erased = notification('meeting.invitation', 'ihub', {
      recipient: { email: ERASED, name: null, language: 'en', organizationId: IHUB.id },
    });
    expect(composeMessage(input({ notification: erased, facts, event: forgotten }))).toMatchObject({
      action: 'skip',
    });
    const withoutContact: PartnershipFacts = {
      ...factsFrom(histories.agreementDrafted()),
      organizations: new Map([[IHUB.id, { id: IHUB.id, name: IHUB.name, contacts: [] }]]),
    };
    const request = notification('signature.request', 'ihub', { subjectId: AGREEMENT_ID });
    expect(
      composeMessage(input({ notification: request, facts: withoutContact, event: agreementDrafted() })),
    ).toMatchObject({
      action: 'skip',
    });
  });

  it('skips a reminder for a meeting moved since its timer was set, and tells which reminder it is', () => {
    const moved = event('IntroductionMeetingRescheduled', {
      ...upcoming.data,
      startsAt: at(4 * DAY),
      endsAt: at(4 * DAY + HOUR),
      previousStartsAt: upcoming.data.startsAt,
      previousEndsAt: upcoming.data.endsAt,
      sequence: 1,
    });
    const timer: PlannedTimer = {
      id: timerIdFor('meeting_reminder', MEETING_ID, 0),
      partnershipId: '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001',
      dueAt: NOW,
      position: 3,
      data: { kind: 'meeting_reminder', meetingId: MEETING_ID, sequence: 0 },
    };
    const reminder = notification('meeting.reminder', 'ihub', { source: { kind: 'timer', id: timer.id } });
    expect(
      composeMessage(
        input({
          notification: reminder,
          facts: factsFrom([...histories.proposed(), upcoming, moved]),
          timer,
        }),
      ),
    ).toEqual({ action: 'skip', reason: 'meeting rescheduled since' });

    const nudge: PlannedTimer = {
      ...timer,
      data: {
        kind: 'signature_reminder',
        document: 'agreement',
        documentId: AGREEMENT_ID,
        amendment: 0,
        reminder: 2,
      },
    };
    const result = composeMessage(
      input({
        notification: notification('signature.reminder', 'pole', {
          subjectId: AGREEMENT_ID,
          source: { kind: 'timer', id: nudge.id },
        }),
        facts: factsFrom(histories.agreementDrafted()),
        timer: nudge,
      }),
    );
    if (result.action !== 'send') throw new Error(result.reason);
    expect(result.content.subject).toBe('Rappel 2/3 : signature attendue, Cluster cooperation agreement');
    expect(result.content.calendar).toBeNull();
  });
});
