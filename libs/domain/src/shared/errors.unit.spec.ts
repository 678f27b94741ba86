import { DOMAIN_ERRORS, DomainError, isDomainError } from './errors';

describe('DomainError', () => {
  it('takes its kind from the catalogue: rule → 409, not found → 404, invalid → 400, forbidden → 403', () => {
    expect(new DomainError('partnership.withdrawn', 'withdrawn').kind).toBe('rule');
    expect(new DomainError('meeting.not_found', 'no meeting').kind).toBe('not_found');
    expect(new DomainError('meeting.ends_before_start', 'ends first').kind).toBe('invalid');
    expect(new DomainError('forbidden.out_of_scope', 'not a party').kind).toBe('forbidden');
  });

  it('carries its code, message and details, and is recognisable', () => {
    const error = new DomainError('agreement.already_signed', 'Already signed', { organizationId: 'o-1' });
    expect(error).toBeInstanceOf(Error);
    expect(isDomainError(error)).toBe(true);
    expect(isDomainError(new Error('other'))).toBe(false);
    expect({ name: error.name, message: error.message, details: error.details }).toStrictEqual({
      name: 'DomainError',
      message: 'Already signed',
      details: { organizationId: 'o-1' },
    });
  });

  it('names every code <area>.<reason> in snake case', () => {
    for (const code of Object.keys(DOMAIN_ERRORS)) expect(code).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });
});
