import type { Language } from './i18n';

const locale = (language: Language) => (language === 'fr' ? 'fr-FR' : 'en-US');

export const formatDateTime = (
  language: Language,
  iso: string | null | undefined,
  timeZone?: string | null,
): string => {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale(language), {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: timeZone ?? undefined,
      timeZoneName: timeZone ? 'short' : undefined,
    }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'short' }).format(
      date,
    );
  }
};

/** A calendar date (YYYY-MM-DD, or the day of an instant) as written in the language, never shifted by time zone. */
export const formatDate = (language: Language, value: string | null | undefined): string => {
  if (!value) return '';
  const day = value.slice(0, 10);
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
};

export const formatNumber = (language: Language, value: number, digits = 0): string =>
  new Intl.NumberFormat(locale(language), { maximumFractionDigits: digits }).format(value);

export const formatPercent = (language: Language, ratio: number): string =>
  new Intl.NumberFormat(locale(language), { style: 'percent', maximumFractionDigits: 0 }).format(ratio);

export const formatMoney = (language: Language, amount: number, currency: string): string => {
  try {
    return new Intl.NumberFormat(locale(language), {
      style: 'currency',
      currency,
      maximumFractionDigits: 0,
    }).format(amount);
  } catch {
    return `${formatNumber(language, amount)} ${currency}`;
  }
};

export const relativeTime = (language: Language, iso: string, now = Date.now()): string => {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale(language), { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86_400 * 45) return format.format(Math.round(seconds / 86_400), 'day');
  if (abs < 86_400 * 365) return format.format(Math.round(seconds / (86_400 * 30)), 'month');
  return format.format(Math.round(seconds / (86_400 * 365)), 'year');
};

/** `datetime-local` value (the browser's zone) → ISO instant with `Z`; empty stays empty for the API to judge. */
export const localInputToInstant = (value: string): string => {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
};

/** An instant → `datetime-local` value in the browser's zone. */
export const instantToLocalInput = (date: Date): string => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

export const todayLocal = (): string => instantToLocalInput(new Date()).slice(0, 10);

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const timeIn = (language: Language, date: Date, timeZone: string): string =>
  new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    date,
  );

/**
 * A meeting's time that names its zone: in the meeting's own zone (`Dec 2, 2026, 10:00 PM (Europe/Paris)`),
 * then in the reader's when it differs (`· Dec 2, 2026, 1:00 PM (America/Los_Angeles)`); a meeting without
 * a zone in the reader's, named. "10:00 PM" between Paris and San Diego is otherwise ambiguous.
 */
export const formatMeetingTime = (
  language: Language,
  iso: string,
  meetingZone: string | null | undefined,
  readerZone: string = browserTimeZone(),
): { meeting: string; reader: string | null } => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { meeting: iso, reader: null };
  let zone = readerZone;
  if (meetingZone) {
    try {
      timeIn(language, date, meetingZone);
      zone = meetingZone;
    } catch {
      zone = readerZone;
    }
  }
  const meeting = `${timeIn(language, date, zone)} (${zone})`;
  const sameClock = timeIn(language, date, zone) === timeIn(language, date, readerZone);
  return {
    meeting,
    reader: zone === readerZone || sameClock ? null : `${timeIn(language, date, readerZone)} (${readerZone})`,
  };
};
