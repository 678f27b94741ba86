/**
 * VTIMEZONE components (RFC 5545 §3.6.5) from the platform's time-zone database (Intl), so an invitation
 * can say `DTSTART;TZID=Europe/Paris:20261202T100000` and carry the rules that make it an instant. Pure:
 * the same zone and year always give the same text.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the platform knows this IANA zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    offsetMinutes(zone, new Date(0));
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in minutes (Paris in winter: 60). */
export function offsetMinutes(zone: string, at: Date): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, format);
  }
  const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!match) throw new RangeError(`Unexpected offset ${name} for ${zone}`);
  if (!match[1]) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

const pad = (value: number, width = 2): string => String(Math.abs(value)).padStart(width, '0');

/** A local DATE-TIME without zone (`20261202T100000`): the instant as the zone's clocks show it. */
export function formatLocal(zone: string, at: Date): string {
  return floating(new Date(at.getTime() + offsetMinutes(zone, at) * MINUTE));
}

function floating(shifted: Date): string {
  return (
    `${pad(shifted.getUTCFullYear(), 4)}${pad(shifted.getUTCMonth() + 1)}${pad(shifted.getUTCDate())}` +
    `T${pad(shifted.getUTCHours())}${pad(shifted.getUTCMinutes())}${pad(shifted.getUTCSeconds())}`
  );
}

/** `+0100`, `-0800`, `+0530`. */
const utcOffset = (minutes: number): string =>
  `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;

interface Transition {
  at: number;
  from: number;
  to: number;
}

/** Every change of offset in [start, end), found day by day and then to the minute. */
function transitions(zone: string, start: number, end: number): Transition[] {
  const found: Transition[] = [];
  let previous = offsetMinutes(zone, new Date(start));
  for (let day = start + DAY; day <= end; day += DAY) {
    const offset = offsetMinutes(zone, new Date(day));
    if (offset === previous) continue;
    let low = day - DAY;
    let high = day;
    while (high - low > MINUTE) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
      if (offsetMinutes(zone, new Date(middle)) === previous) low = middle;
      else high = middle;
    }
    found.push({ at: high, from: previous, to: offset });
    previous = offset;
  }
  return found;
}

/** Spans of zones kept by buildVTimezone: an invitation's zone and years, a few hundred at most in practice. */
const KEPT_TIMEZONES = 256;

/** VTIMEZONE lines already built, by zone and span of years, oldest first. */
const builtTimezones = new Map<string, readonly string[]>();

/**
 * The VTIMEZONE for the zone around the given instants: every change of offset from the start of the
 * year before the first to the end of the year of the last, so the observance in force at each instant is
 * there. A zone without changes in that span gets one STANDARD observance.
 *
 * Finding the changes asks the time-zone database about every day of at least three years, which made
 * it most of the work of composing an invitation; the lines depend only on the zone and the span, so
 * each is built once and kept (the database does not change while the process runs).
 */
export function buildVTimezone(zone: string, instants: readonly Date[]): string[] {
  const years = instants.map((instant) => instant.getUTCFullYear());
  const first = Math.min(...years) - 1;
  const last = Math.max(...years) + 1;
  const key = `${zone} ${first} ${last}`;
  let lines = builtTimezones.get(key);
  if (lines === undefined) {
    lines = timezoneLines(zone, Date.UTC(first, 0, 1), Date.UTC(last, 0, 1));
    if (builtTimezones.size >= KEPT_TIMEZONES) builtTimezones.delete(builtTimezones.keys().next().value!);
    builtTimezones.set(key, lines);
  }
  return [...lines];
}

function timezoneLines(zone: string, start: number, end: number): readonly string[] {
  const changes = transitions(zone, start, end);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  if (changes.length === 0) {
    const offset = utcOffset(offsetMinutes(zone, new Date(start)));
    lines.push(
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      `TZOFFSETFROM:${offset}`,
      `TZOFFSETTO:${offset}`,
      'END:STANDARD',
    );
  } else {
    const standard = Math.min(...changes.flatMap((change) => [change.from, change.to]));
    for (const change of changes) {
      const kind = change.to > standard ? 'DAYLIGHT' : 'STANDARD';
      lines.push(
        `BEGIN:${kind}`,
        // The onset as the clocks showed it before the change (RFC 5545: local time, offset "from").
        `DTSTART:${floating(new Date(change.at + change.from * MINUTE))}`,
        `TZOFFSETFROM:${utcOffset(change.from)}`,
        `TZOFFSETTO:${utcOffset(change.to)}`,
        `END:${kind}`,
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}
