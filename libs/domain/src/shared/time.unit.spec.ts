import { DomainError } from './errors';
import { addMonths, parseDate, parseInstant, utcDate } from './time';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return (error as DomainError).code;
  }
  return undefined;
};

describe('parseInstant', () => {
  it('normalises a time with an offset to UTC and keeps the date as written', () => {
    expect(parseInstant('2025-03-14T23:30:00-08:00', 'signedAt')).toStrictEqual({
      iso: '2025-03-15T07:30:00.000Z',
      ms: Date.parse('2025-03-15T07:30:00.000Z'),
      localDate: '2025-03-14',
    });
  });

  it('accepts minutes-only times and long fractions', () => {
    expect(parseInstant('2025-03-14T09:30Z', 'startsAt').iso).toBe('2025-03-14T09:30:00.000Z');
    expect(parseInstant('2025-03-14T09:30:00.123456Z', 'startsAt').iso).toBe('2025-03-14T09:30:00.123Z');
  });

  it('refuses a time without an offset, an impossible date and free text', () => {
    expect(codeOf(() => parseInstant('2025-03-14T09:30:00', 'startsAt'))).toBe(
      'validation.invalid_timestamp',
    );
    expect(codeOf(() => parseInstant('2025-02-30T09:30:00Z', 'startsAt'))).toBe(
      'validation.invalid_timestamp',
    );
    expect(codeOf(() => parseInstant('next Tuesday', 'startsAt'))).toBe('validation.invalid_timestamp');
  });

  it('reads a plain date as midnight UTC only where dates are allowed', () => {
    expect(parseInstant('2025-03-14', 'signedAt', { dateAllowed: true }).iso).toBe(
      '2025-03-14T00:00:00.000Z',
    );
    expect(codeOf(() => parseInstant('2025-03-14', 'startsAt'))).toBe('validation.invalid_timestamp');
  });
});

describe('parseDate and utcDate', () => {
  it('accepts a calendar date and refuses an impossible one', () => {
    expect(parseDate('2024-02-29', 'dueOn')).toBe('2024-02-29');
    expect(codeOf(() => parseDate('2025-02-29', 'dueOn'))).toBe('validation.invalid_date');
    expect(codeOf(() => parseDate('14/03/2025', 'dueOn'))).toBe('validation.invalid_date');
  });

  it('gives the UTC date of an instant', () => {
    expect(utcDate(new Date('2025-03-14T23:59:59.999Z'))).toBe('2025-03-14');
  });
});

describe('addMonths', () => {
  it('adds calendar months, across years', () => {
    expect(addMonths('2025-03-05', 24)).toBe('2027-03-05');
    expect(addMonths('2025-11-15', 3)).toBe('2026-02-15');
  });

  it('falls back to the last day of a shorter month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
  });
});
