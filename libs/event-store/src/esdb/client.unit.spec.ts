import { ANY, appendOptions, NO_STREAM, STREAM_EXISTS, toAppendExpectedRevision } from './client';

describe('expected revision for EventStoreDB appends', () => {
  it.each([
    ['no_stream', NO_STREAM],
    ['any', ANY],
    ['stream_exists', STREAM_EXISTS],
  ] as const)('maps %s to the client constant', (port, client) => {
    expect(toAppendExpectedRevision(port)).toBe(client);
  });

  it('maps a revision to the same revision as a bigint', () => {
    expect(toAppendExpectedRevision(0)).toBe(0n);
    expect(toAppendExpectedRevision(41)).toBe(41n);
    expect(toAppendExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %p as a revision', (revision) => {
    expect(() => toAppendExpectedRevision(revision)).toThrow(RangeError);
  });

  it('puts the mapped revision under the option name this client reads', () => {
    expect(appendOptions(7)).toEqual({ expectedRevision: 7n });
    expect(appendOptions('no_stream')).toEqual({ expectedRevision: NO_STREAM });
  });
});
