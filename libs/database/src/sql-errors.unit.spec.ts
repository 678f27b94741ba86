import { asStoreUnavailable, StoreUnavailableError, unavailabilityOf } from './sql-errors';

const withCode = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

describe('unavailabilityOf', () => {
  it.each([
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['25006', 'read_only_sql_transaction'],
    ['08006', 'connection_failure'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['53300', 'too_many_connections'],
  ])('treats SQLSTATE %s (%s) as unavailable', (code) => {
    expect(unavailabilityOf(withCode(code))).toBe(`SQLSTATE ${code}`);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'])(
    'treats socket error %s as unavailable',
    (code) => {
      expect(unavailabilityOf(withCode(code))).toBe(code);
    },
  );

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error and is not queryable',
  ])('treats node-postgres message "%s" as unavailable', (message) => {
    expect(unavailabilityOf(new Error(message))).toBe(message);
  });

  it('treats a connect that failed on every address as unavailable', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], '');
    expect(unavailabilityOf(error)).toBe('ECONNREFUSED');
  });

  it.each([
    ['23505', 'unique_violation'],
    ['40P01', 'deadlock_detected'],
    ['P0001', 'raise_exception'],
    ['42P01', 'undefined_table'],
  ])('leaves SQLSTATE %s (%s) alone, whatever its message says', (code) => {
    expect(unavailabilityOf(withCode(code, 'Connection terminated'))).toBeUndefined();
  });

  it('leaves other errors and non-errors alone', () => {
    expect(unavailabilityOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(unavailabilityOf('ECONNREFUSED')).toBeUndefined();
    expect(unavailabilityOf(null)).toBeUndefined();
  });
});

describe('asStoreUnavailable', () => {
  it('wraps an unavailability, keeping the driver error as its cause', () => {
    const cause = withCode('57P01', 'terminating connection due to administrator command');
    const wrapped = asStoreUnavailable(cause);
    expect(wrapped).toBeInstanceOf(StoreUnavailableError);
    expect((wrapped as StoreUnavailableError).cause).toBe(cause);
    expect(asStoreUnavailable(wrapped)).toBe(wrapped);
  });

  it('returns any other error unchanged', () => {
    const error = withCode('23505');
    expect(asStoreUnavailable(error)).toBe(error);
  });
});
