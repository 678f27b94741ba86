import { fail } from './errors';

/** An instant as recorded in events: normalised to UTC, plus the calendar date as its author wrote it. */
export type Instant = {
  /** ISO 8601 in UTC, e.g. `2025-03-14T09:30:00.000Z`. */
  iso: string;
  ms: number;
  /** `YYYY-MM-DD` in the offset the value was written with (the signer's or organiser's own date). */
  localDate: string;
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;
const DAY_MS = 86_400_000;

const isCalendarDate = (year: number, month: number, day: number): boolean => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

const formatDate = (date: Date): string =>
  `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;

/** A `YYYY-MM-DD` calendar date, or an `invalid` refusal naming the field. */
export const parseDate = (value: unknown, field: string): string => {
  const match = typeof value === 'string' ? DATE.exec(value.trim()) : null;
  if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw fail('validation.invalid_date', `${field} must be a date written YYYY-MM-DD`, { field, value });
  }
  return match[0];
};

/**
 * An ISO 8601 time with its offset (`Z` or `±HH:MM`); a time without an offset is refused because it would be
 * read in whatever zone the server runs in. With `dateAllowed`, a plain date means midnight UTC of that day.
 */
export const parseInstant = (
  value: unknown,
  field: string,
  options: { dateAllowed?: boolean } = {},
): Instant => {
  const text = typeof value === 'string' ? value.trim() : '';
  const date = DATE.exec(text);
  if (date && options.dateAllowed) {
    const day = parseDate(text, field);
    const ms = Date.parse(`${day}T00:00:00.000Z`);
    return { iso: new Date(ms).toISOString(), ms, localDate: day };
  }
  const match = TIMESTAMP.exec(text);
  const refuse = () =>
    fail(
      'validation.invalid_timestamp',
      `${field} must be an ISO 8601 time with an offset, e.g. 2025-03-14T09:30:00Z${options.dateAllowed ? ', or a date YYYY-MM-DD' : ''}`,
      { field, value },
    );
  if (!match) throw refuse();
  const [, y, mo, d, h, mi, s = '0', fraction = '0', zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) throw refuse();
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const [offsetHours, offsetMins] = zone.slice(1).split(':').map(Number);
    if (offsetHours > 23 || offsetMins > 59) throw refuse();
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return { iso: new Date(ms).toISOString(), ms, localDate: `${y}-${mo}-${d}` };
};

const zoneDateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an instant in an IANA time zone (`YYYY-MM-DD`); the zone must be valid. */
export const dateInZone = (instant: Date, timeZone: string): string => {
  let format = zoneDateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    if (zoneDateFormats.size < 1000) zoneDateFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
};

/** The UTC calendar date of an instant. */
export const utcDate = (instant: Date): string => formatDate(instant);

/** Adds calendar months; a day that does not exist in the target month becomes that month's last day. */
export const addMonths = (date: string, months: number): string => {
  const [year, month, day] = parseDate(date, 'date').split('-').map(Number);
  const firstOfTarget = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(
    Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 1) - DAY_MS,
  ).getUTCDate();
  return formatDate(
    new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth(), Math.min(day, lastDay))),
  );
};
