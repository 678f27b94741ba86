/**
 * iCalendar (RFC 5545) for meeting invitations, updates and cancellations (iTIP, RFC 5546). Pure: the same
 * meeting and stamp always give the same text.
 */

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface CalendarPerson {
  email: string;
  name?: string | null;
}

export interface MeetingCalendar {
  method: CalendarMethod;
  /** Stable for the meeting across updates, so clients replace the event rather than add one. */
  uid: string;
  /** Raised by every update; a client ignores a message older than what it holds. */
  sequence: number;
  /** When this version of the event was created (DTSTAMP). */
  stamp: Date;
  start: Date;
  end: Date;
  /**
   * The meeting's IANA time zone (`Europe/Paris`): DTSTART and DTEND are written in it, with its
   * VTIMEZONE, so calendars show the time the parties agreed on. Absent, UTC or unknown: UTC times.
   */
  timezone?: string | null;
  /** Ask attendees to reply (RSVP=TRUE) only when replies to the organiser reach someone. */
  rsvp?: boolean;
  summary: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  organizer: CalendarPerson;
  attendees: readonly CalendarPerson[];
  /** Language of the text values (RFC 5646), e.g. `fr`. */
  language?: string;
}

import { buildVTimezone, formatLocal, isKnownTimeZone } from './vtimezone';

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** A UTC DATE-TIME: `20261122T093000Z`. */
export function formatUtc(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/** Control characters other than tab are not allowed in a value. */
const withoutControls = (value: string): string =>
  [...value].filter((char) => char === '\t' || (char >= ' ' && char !== '\u007f')).join('');

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return withoutControls(
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n'),
  );
}

/**
 * A parameter value: RFC 6868 caret-encoding for quotes and line breaks, then quoted when it holds a
 * character that would end the parameter (`:`, `;`, `,`).
 */
export function paramValue(value: string): string {
  const encoded = withoutControls(
    value
      .replace(/\^/g, '^^')
      .replace(/\r\n|\r|\n/g, '^n')
      .replace(/"/g, "^'"),
  );
  return /[:;,]/.test(encoded) || encoded !== encoded.trim() ? `"${encoded}"` : encoded;
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): CRLF then one space, never inside a UTF-8 sequence.
 * Continuation lines hold 74 octets of content, the leading space being the 75th.
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = utf8Size(char.codePointAt(0)!);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

const utf8Size = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

const mailto = (email: string): string => `mailto:${email}`;

function person(property: 'ORGANIZER' | 'ATTENDEE', who: CalendarPerson, extra: string[] = []): string {
  const params = [...(who.name ? [`CN=${paramValue(who.name)}`] : []), ...extra];
  return `${property}${params.map((param) => `;${param}`).join('')}:${mailto(who.email)}`;
}

/** The whole VCALENDAR object, CRLF line endings, folded. */
export function buildMeetingCalendar(meeting: MeetingCalendar): string {
  if (!Number.isInteger(meeting.sequence) || meeting.sequence < 0) {
    throw new RangeError('SEQUENCE must be a non-negative integer');
  }
  if (meeting.end.getTime() <= meeting.start.getTime())
    throw new RangeError('A meeting must end after it starts');
  const cancelled = meeting.method === 'CANCEL';
  const language = meeting.language ? `;LANGUAGE=${meeting.language}` : '';
  const text = (property: string, value: string | null | undefined): string[] =>
    value ? [`${property}${language}:${escapeText(value)}`] : [];
  const zone =
    meeting.timezone &&
    !/^(UTC|Etc\/UTC|GMT|Etc\/GMT)$/.test(meeting.timezone) &&
    isKnownTimeZone(meeting.timezone)
      ? meeting.timezone
      : null;
  const time = (property: 'DTSTART' | 'DTEND', at: Date): string =>
    zone ? `${property};TZID=${zone}:${formatLocal(zone, at)}` : `${property}:${formatUtc(at)}`;
  const replies = meeting.rsvp ? ['PARTSTAT=NEEDS-ACTION', 'RSVP=TRUE'] : ['RSVP=FALSE'];
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Passerelle//Notifications 1.0//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${meeting.method}`,
    ...(zone ? buildVTimezone(zone, [meeting.start, meeting.end]) : []),
    'BEGIN:VEVENT',
    `UID:${meeting.uid}`,
    `SEQUENCE:${meeting.sequence}`,
    `DTSTAMP:${formatUtc(meeting.stamp)}`,
    time('DTSTART', meeting.start),
    time('DTEND', meeting.end),
    ...text('SUMMARY', meeting.summary),
    ...text('DESCRIPTION', meeting.description),
    ...text('LOCATION', meeting.location),
    ...(meeting.url ? [`URL:${meeting.url}`] : []),
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    person('ORGANIZER', meeting.organizer),
    ...meeting.attendees.map((attendee) =>
      person(
        'ATTENDEE',
        attendee,
        cancelled
          ? ['CUTYPE=INDIVIDUAL', 'ROLE=REQ-PARTICIPANT']
          : ['CUTYPE=INDIVIDUAL', 'ROLE=REQ-PARTICIPANT', ...replies],
      ),
    ),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** Unfolds and splits a calendar into content lines (for readers and tests). */
export function unfoldCalendar(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split(CRLF)
    .filter((line) => line.length > 0);
}
