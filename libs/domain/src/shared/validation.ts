import { fail } from './errors';
import { AXES, Axis, isOneOf, SECTORS, Sector } from './vocabulary';

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;

/** Trims and collapses runs of white space. */
export const collapseSpaces = (text: string): string => text.trim().replace(/\s+/g, ' ');

/** A non-empty text, trimmed; otherwise an `invalid` refusal naming the field. */
export const requireText = (value: unknown, field: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw fail('validation.required', `${field} is required`, { field });
  return text;
};

/** An optional text: absent or blank becomes null. */
export const optionalText = (value: unknown, field: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw fail('validation.required', `${field} must be text`, { field });
  const text = value.trim();
  return text === '' ? null : text;
};

/** An e-mail address, trimmed and lower-cased so that comparisons and recipients agree. */
export const normalizeEmail = (value: unknown, field: string): string => {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!EMAIL.test(email))
    throw fail('validation.invalid_email', `${field} is not an e-mail address`, { field, value });
  return email;
};

export const optionalHttpUrl = (value: unknown, field: string): string | null => {
  const url = optionalText(value, field);
  if (url !== null && !HTTP_URL.test(url)) {
    throw fail('validation.invalid_url', `${field} must be an http(s) URL`, { field, value });
  }
  return url;
};

/** Distinct values, first occurrence first. */
export const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** A list of ids (organisations, signatories, leads): trimmed, without repeats, at least one. */
export const requireIds = (values: unknown, field: string): string[] => {
  if (!Array.isArray(values)) throw fail('validation.required', `${field} must be a list`, { field });
  const ids = distinct(values.map((value: unknown) => requireText(value, field)));
  if (ids.length === 0) throw fail('validation.required', `${field} needs at least one entry`, { field });
  return ids;
};

export const requireSectors = (
  values: unknown,
  field: string,
  options: { atLeastOne: boolean },
): Sector[] => {
  if (!Array.isArray(values)) throw fail('validation.required', `${field} must be a list`, { field });
  const sectors = distinct(
    values.map((sector: unknown) => {
      if (!isOneOf(SECTORS, sector)) {
        throw fail('validation.unknown_sector', `Unknown sector ${String(sector)}`, {
          field,
          sector,
          allowed: SECTORS,
        });
      }
      return sector;
    }),
  );
  if (options.atLeastOne && sectors.length === 0) {
    throw fail('validation.required', `${field} needs at least one sector`, { field });
  }
  return sectors;
};

export const requireAxes = (values: unknown, field: string): Axis[] => {
  if (!Array.isArray(values)) throw fail('validation.required', `${field} must be a list`, { field });
  const axes = distinct(
    values.map((axis: unknown) => {
      if (!isOneOf(AXES, axis)) {
        throw fail('validation.unknown_axis', `Unknown collaboration axis ${String(axis)}`, {
          field,
          axis,
          allowed: AXES,
        });
      }
      return axis;
    }),
  );
  if (axes.length === 0) throw fail('validation.required', `${field} needs at least one axis`, { field });
  return axes;
};
