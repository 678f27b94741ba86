import type { Language } from '@passerelle/domain';

const LOCALES: Record<Language, string> = { en: 'en-US', fr: 'fr-FR' };

/** Locale-aware formatting for one language. */
export interface Formatter {
  language: Language;
  /** An instant in a time zone, with the zone's abbreviation: `Tuesday, December 1, 2026 at 08:00 AM PST`. */
  dateTime(iso: string, timezone: string): string;
  /** A calendar date `YYYY-MM-DD`, written out. */
  date(day: string): string;
  money(amount: number, currency: string): string;
  list(items: readonly string[]): string;
}

export function formatterFor(language: Language): Formatter {
  const locale = LOCALES[language];
  return {
    language,
    dateTime(iso, timezone) {
      return new Intl.DateTimeFormat(locale, {
        weekday: 'long',
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: timezone,
        timeZoneName: 'short',
      }).format(new Date(iso));
    },
    date(day) {
      return new Intl.DateTimeFormat(locale, {
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        timeZone: 'UTC',
      }).format(new Date(`${day}T00:00:00Z`));
    },
    money(amount, currency) {
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
      } catch {
        return `${amount} ${currency}`;
      }
    },
    list(items) {
      return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
    },
  };
}
