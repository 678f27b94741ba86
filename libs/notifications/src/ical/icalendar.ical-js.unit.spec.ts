import ICAL from 'ical.js';
import { buildMeetingCalendar, MeetingCalendar } from './icalendar';

/** The invitations read by another implementation (ical.js, as calendar web clients use it). */
const meeting = (overrides: Partial<MeetingCalendar> = {}): MeetingCalendar => ({
  method: 'REQUEST',
  uid: '6f1c2a8e-0000-4000-8000-000000000002@passerelle',
  sequence: 2,
  stamp: new Date('2026-11-22T09:15:30.123Z'),
  start: new Date('2026-12-01T21:00:00Z'),
  end: new Date('2026-12-01T22:30:00Z'),
  summary: 'Introduction meeting: Blue economy pilot',
  description: 'Agenda: scope, funding; next steps',
  location: 'Marseille / San Diego',
  organizer: { email: 'partnerships@passerelle.example', name: 'Passerelle' },
  rsvp: false,
  attendees: [
    { email: 'ana@example.org', name: 'Ana Pérez' },
    { email: 'zoe@example.fr', name: 'Zoé "ZB" Bernard, pôle' },
  ],
  ...overrides,
});

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT');
  return { calendar, event: new ICAL.Event(vevent), vevent };
}

describe('iCalendar invitations read by ical.js', () => {
  afterEach(() => ICAL.TimezoneService.reset());

  it.each([
    ['Europe/Paris', '2026-12-01T21:00:00Z', '22:00'],
    ['Europe/Paris', '2026-07-01T08:30:00Z', '10:30'],
    ['America/Los_Angeles', '2026-03-08T17:00:00Z', '10:00'],
    ['America/Los_Angeles', '2026-11-01T17:00:00Z', '09:00'],
    ['Asia/Tokyo', '2026-05-05T01:00:00Z', '10:00'],
  ])('%s at %s: TZID local time %s, and the same instant through its VTIMEZONE', (zone, at, local) => {
    const start = new Date(at);
    const text = buildMeetingCalendar(
      meeting({ timezone: zone, start, end: new Date(+start + 90 * 60_000) }),
    );
    const { calendar, event, vevent } = parse(text);

    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual([
      zone,
    ]);
    expect(vevent.getFirstProperty('dtstart')?.getParameter('tzid')).toBe(zone);
    expect(event.startDate.toString().slice(11, 16)).toBe(local);
    expect(event.startDate.toJSDate().toISOString()).toBe(start.toISOString());
    expect(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()).toBe(90 * 60_000);
    expect(event.uid).toBe('6f1c2a8e-0000-4000-8000-000000000002@passerelle');
    expect(event.sequence).toBe(2);
    expect(event.description).toBe('Agenda: scope, funding; next steps');
    expect(event.organizer).toBe('mailto:partnerships@passerelle.example');
    expect(
      event.attendees.map((a) => [a.getFirstValue(), a.getParameter('cn'), a.getParameter('rsvp')]),
    ).toEqual([
      ['mailto:ana@example.org', 'Ana Pérez', 'FALSE'],
      ['mailto:zoe@example.fr', 'Zoé "ZB" Bernard, pôle', 'FALSE'],
    ]);
  });

  it('reads a meeting without a zone in UTC, and a cancellation as CANCEL', () => {
    const { calendar, event } = parse(buildMeetingCalendar(meeting({ method: 'CANCEL', timezone: null })));
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(calendar.getAllSubcomponents('vtimezone')).toEqual([]);
    expect(event.startDate.zone?.tzid).toBe('UTC');
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-12-01T21:00:00.000Z');
  });
});
