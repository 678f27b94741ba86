import { applyDecorators, ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import { ProblemError } from './problem';

/**
 * The formats and ranges of query, path and header parameters, in one place: the validators, the
 * OpenAPI description and the 400 that names the parameter all come from here.
 */

/** Positions, revisions and offsets fit JavaScript's safe integers (and PostgreSQL's bigint). */
export const MAX_WHOLE_NUMBER = Number.MAX_SAFE_INTEGER;

/** A 400 naming the parameter, shaped as the body validation's: `errors: [{ field, messages }]`. */
export function invalidParameter(name: string, message: string): ProblemError {
  return new ProblemError(400, 'validation', `${name}: ${message}`, {
    errors: [{ field: name, messages: [message] }],
  });
}

const DIGITS = /^\d{1,16}$/;

/** The number a parameter holds, if it is written in decimal digits and lies in [min, max]; else undefined. */
export function wholeNumberOf(raw: unknown, min: number, max: number): number | undefined {
  if (typeof raw !== 'string' || !DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

export const wholeNumberMessage = (name: string, min: number, max: number) =>
  `${name} must be a whole number from ${min} to ${max}, in decimal digits`;

/** A whole number from `min` to `max`, or a 400 naming `name`. */
export function wholeNumberParameter(raw: unknown, name: string, min: number, max: number): number {
  const value = wholeNumberOf(raw, min, max);
  if (value === undefined) throw invalidParameter(name, wholeNumberMessage(name, min, max));
  return value;
}

/** A DTO field holding a whole number from `min` to `max` (decimal digits only: no sign, point or exponent). */
export function WholeNumber(options: {
  min: number;
  max: number;
  default?: number;
  description?: string;
}): PropertyDecorator {
  const { min, max } = options;
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      format: 'int64',
      minimum: min,
      maximum: max,
      default: options.default,
      description: options.description,
    }),
    IsOptional(),
    // Converted only when valid, so that the validator below sees (and refuses) anything else as sent.
    Transform(({ value }: { value: unknown }) => wholeNumberOf(value, min, max) ?? value),
    ValidateBy({
      name: 'wholeNumber',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
        defaultMessage: (args) => wholeNumberMessage(args?.property ?? 'value', min, max),
      },
    }),
  );
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

const realDay = (year: number, month: number, day: number) =>
  year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

/** `YYYY-MM-DD`, a day that exists, years 0001 to 9999. */
export function isCalendarDay(raw: unknown): raw is string {
  if (typeof raw !== 'string') return false;
  const match = DAY.exec(raw);
  return match !== null && realDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * An ISO 8601 time: `YYYY-MM-DD`, or with `THH:MM[:SS[.fraction]]` and optionally `Z` or `±HH:MM`;
 * every field in its range, years 0001 to 9999. The Date, or undefined.
 */
export function instantOf(raw: unknown): Date | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = INSTANT.exec(raw);
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds, , offsetHours, offsetMinutes] = match;
  if (!realDay(Number(year), Number(month), Number(day))) return undefined;
  if (Number(hours ?? 0) > 23 || Number(minutes ?? 0) > 59 || Number(seconds ?? 0) > 59) return undefined;
  if (Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) return undefined;
  // An offset may carry the day across a year boundary; the databases take years 0001 to 9999 as written.
  const utcYear = date.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? date : undefined;
}

const INSTANT_FORMAT = 'YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]';
export const instantMessage = (name: string) => `${name} must be an ISO 8601 time (${INSTANT_FORMAT})`;

/** A DTO field holding an ISO 8601 time (kept as sent; read it with `instantOf`). */
export function Instant(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      format: 'date-time',
      pattern: INSTANT.source,
      description: `${description}; ${INSTANT_FORMAT}`,
    }),
    IsOptional(),
    ValidateBy({
      name: 'instant',
      validator: {
        validate: (value: unknown) => instantOf(value) !== undefined,
        defaultMessage: (args) => instantMessage(args?.property ?? 'value'),
      },
    }),
  );
}

/** A DTO field holding a calendar day, `YYYY-MM-DD`. */
export function CalendarDay(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', format: 'date', pattern: DAY.source, description }),
    IsOptional(),
    ValidateBy({
      name: 'calendarDay',
      validator: {
        validate: isCalendarDay,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a day that exists, YYYY-MM-DD`,
      },
    }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path parameter that must be a UUID; the 400 names it. */
@Injectable()
export class UuidParameter implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) return value;
    const name = metadata.data ?? 'id';
    throw invalidParameter(name, `${name} must be a UUID`);
  }
}

/** Documents a UUID path parameter (checked by `UuidParameter`). */
export const UuidPath = (name = 'id') =>
  ApiParam({ name, required: true, schema: { type: 'string', format: 'uuid' } });
