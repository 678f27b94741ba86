import fc from 'fast-check';
import { isAfterCheckpoint, toEsdbPosition, toGlobalPosition, UnsupportedPositionError } from './position';

describe('checkpoint codec between global positions and EventStoreDB positions', () => {
  it('reads an event position (commit = prepare) as that number', () => {
    expect(toGlobalPosition({ commit: 1_234_567n, prepare: 1_234_567n })).toBe(1_234_567);
    expect(toGlobalPosition({ commit: 0n, prepare: 0n })).toBe(0);
  });

  it('resumes from exactly the checkpointed event position', () => {
    expect(toEsdbPosition(1_234_567)).toEqual({ commit: 1_234_567n, prepare: 1_234_567n });
  });

  it('round-trips every safe position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (position) => {
        expect(toGlobalPosition(toEsdbPosition(position))).toBe(position);
      }),
    );
  });

  it('keeps the order of positions', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
        fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
        (a, b) => {
          const [x, y] = [
            toGlobalPosition({ commit: a, prepare: a }),
            toGlobalPosition({ commit: b, prepare: b }),
          ];
          expect(Math.sign(x - y)).toBe(a < b ? -1 : a > b ? 1 : 0);
        },
      ),
    );
  });

  it('refuses a position whose commit and prepare differ (legacy explicit transaction)', () => {
    expect(() => toGlobalPosition({ commit: 2000n, prepare: 1500n })).toThrow(UnsupportedPositionError);
    expect(() => toGlobalPosition({ commit: 2000n, prepare: 1500n })).toThrow(/commit and prepare differ/);
  });

  it('refuses a position that a JS number cannot hold exactly', () => {
    const beyond = BigInt(Number.MAX_SAFE_INTEGER) + 1n;
    expect(() => toGlobalPosition({ commit: beyond, prepare: beyond })).toThrow(/MAX_SAFE_INTEGER/);
  });

  it('review finding 10: names the server without positions (before 22.6) instead of a number too large', () => {
    // A 21.10 stream read, or an explicit transaction's event, carries -1 as an unsigned 64-bit number.
    const none = 2n ** 64n - 1n;
    expect(() => toGlobalPosition({ commit: none, prepare: none })).toThrow(UnsupportedPositionError);
    expect(() => toGlobalPosition({ commit: none, prepare: none })).toThrow(/22\.6 or later/);
    expect(() => toGlobalPosition({ commit: none, prepare: none })).not.toThrow(/MAX_SAFE_INTEGER/);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p as a global position', (position) => {
    expect(() => toEsdbPosition(position)).toThrow(RangeError);
  });

  it('treats the checkpoint as exclusive', () => {
    expect(isAfterCheckpoint(10, 9)).toBe(true);
    expect(isAfterCheckpoint(10, 10)).toBe(false);
    expect(isAfterCheckpoint(9, 10)).toBe(false);
    expect(isAfterCheckpoint(0, null)).toBe(true);
    expect(isAfterCheckpoint(0, undefined)).toBe(true);
  });
});
