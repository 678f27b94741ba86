import {
  buildMeetingCalendar,
  escapeText,
  foldLine,
  formatUtc,
  MeetingCalendar,
  paramValue,
  unfoldCalendar,
} from './icalendar';

const meeting = (overrides: Partial<MeetingCalendar> = {}): MeetingCalendar => ({
  method: 'REQUEST',
  uid: '6f1c2a8e-0000-4000-8000-000000000001@passerelle',
  sequence: 0,
  stamp: new Date('2026-11-22T09:15:30.123Z'),
  start: new Date('2026-12-01T16:00:00Z'),
  end: new Date('2026-12-01T17:30:00Z'),
  summary: 'Introduction meeting: Blue economy pilot',
  description: 'Agenda: scope, funding; next steps',
  location: 'San Diego, CA',
  url: 'https://meet.example.org/blue',
  organizer: { email: 'partnerships@passerelle.example', name: 'Passerelle' },
  rsvp: true,
  attendees: [
    { email: 'ana@example.org', name: 'Ana Pérez' },
    { email: 'zoe@example.fr', name: 'Zoé "ZB" Bernard, pôle' },
  ],
  ...overrides,
});

const octets = (line: string) => Buffer.byteLength(line, 'utf8');

describe('iCalendar builder', () => {
  it('writes a REQUEST with the fields calendar clients need, CRLF-terminated', () => {
    const text = buildMeetingCalendar(meeting());
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfoldCalendar(text);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines).toEqual(
      expect.arrayContaining([
        'VERSION:2.0',
        'PRODID:-//Passerelle//Notifications 1.0//EN',
        'METHOD:REQUEST',
        'UID:6f1c2a8e-0000-4000-8000-000000000001@passerelle',
        'SEQUENCE:0',
        'DTSTAMP:20261122T091530Z',
        'DTSTART:20261201T160000Z',
        'DTEND:20261201T173000Z',
        'SUMMARY:Introduction meeting: Blue economy pilot',
        'DESCRIPTION:Agenda: scope\\, funding\\; next steps',
        'LOCATION:San Diego\\, CA',
        'URL:https://meet.example.org/blue',
        'STATUS:CONFIRMED',
        'ORGANIZER;CN=Passerelle:mailto:partnerships@passerelle.example',
        'ATTENDEE;CN=Ana Pérez;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ana@example.org',
        `ATTENDEE;CN="Zoé ^'ZB^' Bernard, pôle";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:zoe@example.fr`,
      ]),
    );
    expect(lines.indexOf('BEGIN:VEVENT')).toBeLessThan(
      lines.indexOf('UID:6f1c2a8e-0000-4000-8000-000000000001@passerelle'),
    );
    expect(lines.indexOf('END:VEVENT')).toBe(lines.length - 2);
  });

  it('writes a CANCEL with the raised SEQUENCE, the same UID and STATUS:CANCELLED, without RSVP', () => {
    const lines = unfoldCalendar(buildMeetingCalendar(meeting({ method: 'CANCEL', sequence: 2 })));
    expect(lines).toContain('METHOD:CANCEL');
    expect(lines).toContain('SEQUENCE:2');
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('UID:6f1c2a8e-0000-4000-8000-000000000001@passerelle');
    expect(lines.filter((line) => line.startsWith('ATTENDEE')).every((line) => !line.includes('RSVP'))).toBe(
      true,
    );
  });

  it('is deterministic: the same meeting and stamp give the same bytes', () => {
    expect(buildMeetingCalendar(meeting())).toBe(buildMeetingCalendar(meeting()));
  });

  it('folds every physical line at 75 octets without splitting a UTF-8 character', () => {
    const long =
      'Réunion d’introduction — pôle Mer Méditerranée & San Diego, ' + 'économie bleue '.repeat(20);
    const text = buildMeetingCalendar(meeting({ summary: long, description: 'ü'.repeat(200) }));
    const physical = text.split('\r\n').filter(Boolean);
    for (const line of physical) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(physical.some((line) => line.startsWith(' '))).toBe(true);
    expect(text).not.toContain('\uFFFD');
    const unfolded = unfoldCalendar(text);
    expect(unfolded).toContain(`SUMMARY:${escapeText(long)}`);
    expect(unfolded).toContain(`DESCRIPTION:${'ü'.repeat(200)}`);
  });

  it('leaves out absent optional properties and tags text with its language', () => {
    const lines = unfoldCalendar(
      buildMeetingCalendar(
        meeting({ description: null, location: null, url: null, language: 'fr', summary: 'Réunion' }),
      ),
    );
    expect(
      lines.some(
        (line) => line.startsWith('DESCRIPTION') || line.startsWith('LOCATION') || line.startsWith('URL'),
      ),
    ).toBe(false);
    expect(lines).toContain('SUMMARY;LANGUAGE=fr:Réunion');
  });

  it('refuses a negative sequence and a meeting that ends before it starts', () => {
    expect(() => buildMeetingCalendar(meeting({ sequence: -1 }))).toThrow(RangeError);
    expect(() => buildMeetingCalendar(meeting({ end: new Date('2026-12-01T15:00:00Z') }))).toThrow(
      RangeError,
    );
  });
});

describe('iCalendar values', () => {
  it('escapes TEXT', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(escapeText('tab\tkept, bell\u0007 dropped')).toBe('tab\tkept\\, bell dropped');
  });

  it('quotes parameter values that need it and caret-encodes quotes and line breaks', () => {
    expect(paramValue('Ana')).toBe('Ana');
    expect(paramValue('Doe, Jane')).toBe('"Doe, Jane"');
    expect(paramValue('a:b')).toBe('"a:b"');
    expect(paramValue('say "hi"\nnow ^')).toBe("say ^'hi^'^nnow ^^");
  });

  it('formats UTC date-times', () => {
    expect(formatUtc(new Date('2027-01-02T03:04:05.999Z'))).toBe('20270102T030405Z');
    expect(() => formatUtc(new Date('nope'))).toThrow(RangeError);
  });

  it('folds exactly at the limits', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
    expect(foldLine('x'.repeat(75 + 74 + 1))).toBe(`${'x'.repeat(75)}\r\n ${'x'.repeat(74)}\r\n x`);
    // A two-octet character that would straddle the limit moves to the next line whole.
    expect(foldLine(`${'x'.repeat(74)}é`)).toBe(`${'x'.repeat(74)}\r\n é`);
  });
});

/** Structural checks a calendar reader makes: balanced components, one VTIMEZONE per TZID used. */
function components(lines: string[]): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const line of lines) {
    if (line.startsWith('BEGIN:')) {
      stack.push(line.slice(6));
      seen.push(line.slice(6));
    } else if (line.startsWith('END:')) {
      expect(stack.pop()).toBe(line.slice(4));
    }
  }
  expect(stack).toEqual([]);
  return seen;
}

/** The UTC instant a `DTSTART;TZID=…:local` line stands for, read back through the VTIMEZONE itself. */
function instantOf(lines: string[], property: 'DTSTART' | 'DTEND'): Date {
  const line = lines.find((candidate) => candidate.startsWith(`${property};TZID=`))!;
  const local = /:(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(line)!.slice(1).map(Number);
  const asUtc = Date.UTC(local[0]!, local[1]! - 1, local[2]!, local[3]!, local[4]!, local[5]!);
  // The observance in force: the last whose onset (local, offset "from") is not after the time.
  const start = lines.indexOf('BEGIN:VTIMEZONE');
  const end = lines.indexOf('END:VTIMEZONE');
  let offset: number | undefined;
  let onsetBest = -Infinity;
  for (let i = start; i < end; i++) {
    if (!lines[i]!.startsWith('DTSTART:')) continue;
    const o = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(lines[i]!)!.slice(1).map(Number);
    const onset = Date.UTC(o[0]!, o[1]! - 1, o[2]!, o[3]!, o[4]!, o[5]!);
    const to = /TZOFFSETTO:([+-])(\d{2})(\d{2})/.exec(lines.slice(i, i + 4).join('\n'))!;
    if (onset <= asUtc && onset > onsetBest) {
      onsetBest = onset;
      offset = (to[1] === '-' ? -1 : 1) * (Number(to[2]) * 60 + Number(to[3]));
    }
  }
  expect(offset).toBeDefined();
  return new Date(asUtc - offset! * 60_000);
}

describe('iCalendar builder: the meeting in its own time zone', () => {
  it('writes DTSTART and DTEND with TZID=Europe/Paris and the VTIMEZONE that makes them instants', () => {
    const winter = meeting({ timezone: 'Europe/Paris' });
    const lines = unfoldCalendar(buildMeetingCalendar(winter));
    expect(lines).toEqual(
      expect.arrayContaining([
        'DTSTART;TZID=Europe/Paris:20261201T170000',
        'DTEND;TZID=Europe/Paris:20261201T183000',
        'TZID:Europe/Paris',
      ]),
    );
    expect(components(lines)).toEqual(
      expect.arrayContaining(['VCALENDAR', 'VTIMEZONE', 'STANDARD', 'DAYLIGHT', 'VEVENT']),
    );
    expect(lines.indexOf('BEGIN:VTIMEZONE')).toBeLessThan(lines.indexOf('BEGIN:VEVENT'));
    expect(instantOf(lines, 'DTSTART')).toEqual(winter.start);
    expect(instantOf(lines, 'DTEND')).toEqual(winter.end);
  });

  it.each([
    ['Europe/Paris', '2027-07-14T08:00:00Z'],
    ['America/Los_Angeles', '2026-03-08T18:00:00Z'],
    ['America/Los_Angeles', '2027-01-04T01:00:00Z'],
    ['Asia/Tokyo', '2026-12-01T01:00:00Z'],
    ['Australia/Sydney', '2026-10-04T03:00:00Z'],
  ])('%s at %s: the local time and the VTIMEZONE give back the instant', (timezone, at) => {
    const start = new Date(at);
    const lines = unfoldCalendar(
      buildMeetingCalendar(meeting({ timezone, start, end: new Date(start.getTime() + 3_600_000) })),
    );
    components(lines);
    expect(lines).toContain(`TZID:${timezone}`);
    expect(instantOf(lines, 'DTSTART')).toEqual(start);
  });

  it('keeps UTC times for a meeting in UTC or without a zone, with no VTIMEZONE', () => {
    for (const timezone of [undefined, 'UTC']) {
      const lines = unfoldCalendar(buildMeetingCalendar(meeting({ timezone })));
      expect(lines).toContain('DTSTART:20261201T160000Z');
      expect(lines.some((line) => line.startsWith('BEGIN:VTIMEZONE'))).toBe(false);
    }
  });

  it('asks for replies only when they reach someone', () => {
    const quiet = unfoldCalendar(buildMeetingCalendar(meeting({ rsvp: false })));
    const attendees = quiet.filter((line) => line.startsWith('ATTENDEE'));
    expect(attendees).toHaveLength(2);
    expect(attendees.every((line) => line.includes('RSVP=FALSE') && !line.includes('RSVP=TRUE'))).toBe(true);
  });
});
