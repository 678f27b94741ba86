import { ProblemError } from './problem';
import {
  daysInMonth,
  instantOf,
  invalidParameter,
  isCalendarDay,
  MAX_WHOLE_NUMBER,
  UuidParameter,
  wholeNumberOf,
} from './parameters';

describe('parameter formats', () => {
  it('reads whole numbers written in decimal digits, within their range, and nothing else', () => {
    expect(wholeNumberOf('0', 0, 10)).toBe(0);
    expect(wholeNumberOf('007', 0, 10)).toBe(7);
    expect(wholeNumberOf(String(MAX_WHOLE_NUMBER), 0, MAX_WHOLE_NUMBER)).toBe(MAX_WHOLE_NUMBER);
    for (const raw of [
      '',
      ' 1',
      '+1',
      '-1',
      '1.0',
      '1e3',
      '0x10',
      'Infinity',
      '11',
      '9007199254740992',
      '9'.repeat(40),
      ['1', '2'],
      undefined,
      3,
    ]) {
      expect(wholeNumberOf(raw, 0, raw === '9007199254740992' ? MAX_WHOLE_NUMBER : 10)).toBeUndefined();
    }
  });

  it('takes ISO 8601 times whose every field is in range, years 0001 to 9999 once in UTC', () => {
    expect(instantOf('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(instantOf('2024-06-01T12:30+02:00')?.toISOString()).toBe('2024-06-01T10:30:00.000Z');
    expect(instantOf('2024-06-01T12:30:15.123456Z')?.toISOString()).toBe('2024-06-01T12:30:15.123Z');
    for (const raw of [
      '2023-02-29',
      '2024-02-30',
      '2024-13-01',
      '0000-01-01',
      '0001-01-01T00:00:00+00:01',
      '9999-12-31T23:59:59-00:01',
      '+275760-09-13T00:00:00Z',
      '2024-01-01T24:00',
      '2024-01-01T10:00:00 02:00',
      '2024-01-01garbage',
      'yesterday',
      '',
      ['2024-01-01'],
    ]) {
      expect(instantOf(raw)).toBeUndefined();
    }
  });

  it('takes calendar days that exist', () => {
    expect(isCalendarDay('2000-02-29')).toBe(true);
    expect(isCalendarDay('1900-02-29')).toBe(false);
    expect(isCalendarDay('0001-01-01')).toBe(true);
    expect(isCalendarDay('0000-12-31')).toBe(false);
    expect(isCalendarDay('2024-04-31')).toBe(false);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });

  it('names the parameter it refuses, as body validation names fields', () => {
    const error = invalidParameter('offset', 'offset must be a whole number');
    expect(error).toMatchObject({
      status: 400,
      code: 'validation',
      message: 'offset: offset must be a whole number',
      extensions: { errors: [{ field: 'offset', messages: ['offset must be a whole number'] }] },
    });
    const pipe = new UuidParameter();
    expect(pipe.transform('0f8fad5b-d9cb-469f-a165-70867728950e', { type: 'param', data: 'id' })).toBe(
      '0f8fad5b-d9cb-469f-a165-70867728950e',
    );
    expect(() => pipe.transform('nope', { type: 'param', data: 'meetingId' })).toThrow(ProblemError);
    try {
      pipe.transform('nope', { type: 'param', data: 'meetingId' });
    } catch (error) {
      expect((error as ProblemError).extensions).toEqual({
        errors: [{ field: 'meetingId', messages: ['meetingId must be a UUID'] }],
      });
    }
  });
});
