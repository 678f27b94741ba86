import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalEventJson,
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  verifyChain,
  type HashedFields,
} from './hash-chain';

const registered: HashedFields = {
  id: '5f0c7b8e-3f0a-4c8e-9a34-1f2b9c3d4e5f',
  type: 'OrganizationRegistered',
  version: 1,
  data: { z: 'é', a: [1, { c: null, b: true }] },
  metadata: { actor: { sub: 'u1', roles: ['admin'] } },
};

function chainOf(events: HashedFields[]): (HashedFields & { hash: string })[] {
  let previous = GENESIS_HASH;
  return events.map((event) => {
    previous = chainHash(previous, event);
    return { ...event, hash: previous };
  });
}

const event = (n: number): HashedFields => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Counted',
  version: 1,
  data: { n },
  metadata: {},
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('serialises a value the way it is stored: undefined dropped, dates as ISO strings, -0 as 0', () => {
    expect(canonicalJson({ gone: undefined, at: new Date('2025-01-02T03:04:05.000Z'), zero: -0 })).toBe(
      '{"at":"2025-01-02T03:04:05.000Z","zero":0}',
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });

  it('writes the odd values inside ordinary ones as JSON.stringify does (null prototypes, toJSON not a function)', () => {
    // Written key by key: an object rebuilt with sorted keys would still list integer-like keys first.
    const sorted = (value: unknown): string =>
      Array.isArray(value)
        ? `[${value.map(sorted).join(',')}]`
        : typeof value === 'object' && value !== null
          ? `{${Object.keys(value)
              .sort()
              .map((key) => `${JSON.stringify(key)}:${sorted((value as Record<string, unknown>)[key])}`)
              .join(',')}}`
          : JSON.stringify(value);
    const definition = (value: unknown) => sorted(JSON.parse(JSON.stringify(value)));
    const special = fc.oneof(
      fc.date({ noInvalidDate: true }),
      fc.constantFrom(undefined, -0, NaN, Infinity, () => 1),
      fc.string().map((text) => ({ toJSON: () => text })),
      fc.double().map((n) => new Number(n)),
      fc.string().map((text) => new String(text)),
      fc.constant({ toJSON: 'not a function', kept: 1 }),
      fc.constant(Object.assign(Object.create(null), { b: 2, a: 1 })),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        special,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), (record) => {
        expect(canonicalJson(record)).toBe(definition(record));
      }),
      { numRuns: 500 },
    );
  });

  it('is stable through a JSON round trip, as data read back from the database is', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('canonicalEventJson', () => {
  it('is canonicalJson of { id, type, version, data, metadata }, whatever the fields hold', () => {
    const anything = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(undefined, NaN, -0, () => 1),
      fc.date({ noInvalidDate: true }),
    );
    fc.assert(
      fc.property(
        fc.record({ id: anything, type: anything, version: anything, data: anything, metadata: anything }),
        fc.anything(),
        (fields, extra) => {
          const { id, type, version, data, metadata } = fields;
          const event = { ...fields, position: extra } as unknown as HashedFields;
          expect(canonicalEventJson(event)).toBe(canonicalJson({ id, type, version, data, metadata }));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('chainHash', () => {
  it('is sha256 over the previous hash then the canonical JSON of id, type, version, data and metadata', () => {
    // Pinned: stored hashes must stay verifiable, so the format may never change.
    expect(chainHash(GENESIS_HASH, registered)).toBe(
      '940917bc4885f6112592ee417b00ef621512ed47247116ad7c75115670590cca',
    );
  });

  it('ignores fields outside the hashed ones', () => {
    const recorded = { ...registered, streamId: 'organization-1', revision: 0, position: 12 };
    expect(chainHash(GENESIS_HASH, recorded)).toBe(chainHash(GENESIS_HASH, registered));
  });

  it('changes with the previous hash and with every hashed field', () => {
    const base = chainHash(GENESIS_HASH, registered);
    const variants: HashedFields[] = [
      { ...registered, id: '5f0c7b8e-3f0a-4c8e-9a34-1f2b9c3d4e60' },
      { ...registered, type: 'OrganizationRenamed' },
      { ...registered, version: 2 },
      { ...registered, data: { ...registered.data, z: 'e' } },
      { ...registered, metadata: { actor: { sub: 'u2', roles: ['admin'] } } },
    ];
    expect(chainHash('f'.repeat(64), registered)).not.toBe(base);
    for (const variant of variants) expect(chainHash(GENESIS_HASH, variant)).not.toBe(base);
  });

  it('is the digest of the previous hash then the canonical JSON fed apart, whatever the previous hash holds', () => {
    // A stored hash is read back as text and may have been altered: lone surrogates included.
    const apart = (previous: string, fields: HashedFields) =>
      createHash('sha256').update(previous).update(canonicalJson(fields)).digest('hex');
    const { id, type, version, data, metadata } = registered;
    expect(chainHash('\ud800', registered)).toBe(apart('\ud800', { id, type, version, data, metadata }));
    fc.assert(
      fc.property(
        fc.string({ unit: fc.nat(0xffff).map((code) => String.fromCharCode(code)) }),
        fc.jsonValue(),
        (previous, value) => {
          const fields = { ...registered, data: { value } };
          expect(chainHash(previous, fields)).toBe(
            apart(previous, { id, type, version, data: fields.data, metadata }),
          );
        },
      ),
    );
  });
});

describe('verifyChain', () => {
  const chain = chainOf([event(0), event(1), event(2), event(3)]);

  it('returns null for an intact chain, and for an empty one', () => {
    expect(verifyChain(chain)).toBeNull();
    expect(verifyChain([])).toBeNull();
  });

  it('verifies a tail read from the middle of a stream given the hash before it', () => {
    expect(verifyChain(chain.slice(2), chain[1].hash)).toBeNull();
    expect(verifyChain(chain.slice(2))).toBe(chain[2]);
  });

  it('returns the event whose data was modified', () => {
    const tampered = chain.map((e, i) => (i === 2 ? { ...e, data: { n: 20 } } : e));
    expect(verifyChain(tampered)).toBe(tampered[2]);
  });

  it('returns the event whose type was changed: the type is hashed with the data', () => {
    const retyped = chain.map((e, i) => (i === 1 ? { ...e, type: 'Forged' } : e));
    expect(verifyChain(retyped)).toBe(retyped[1]);
  });

  it('returns the event whose hash was rewritten to match, because the next one no longer chains', () => {
    const forged = chain.map((e) => ({ ...e }));
    forged[1] = { ...forged[1], data: { n: 10 } };
    forged[1].hash = chainHash(forged[0].hash, forged[1]);
    expect(verifyChain(forged)).toBe(forged[2]);
  });

  it('returns the event after a removed one, and the first of two swapped ones', () => {
    const removed = [chain[0], chain[2], chain[3]];
    expect(verifyChain(removed)).toBe(chain[2]);
    const swapped = [chain[0], chain[2], chain[1], chain[3]];
    expect(verifyChain(swapped)).toBe(chain[2]);
  });
});

describe('canonicalJson against JSON.stringify', () => {
  // The definition it keeps: JSON.stringify, parsed back, with object keys sorted at every depth.
  const sortedJson = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      return `{${Object.keys(record)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`)
        .join(',')}}`;
    }
    return JSON.stringify(value);
  };
  const byRoundTrip = (value: unknown): string => sortedJson(JSON.parse(JSON.stringify(value)));

  it('writes what JSON.stringify writes, keys sorted, for any value JSON.stringify takes', () => {
    const jsonish = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({ noInvalidDate: true }),
        fc.array(tie('value')),
        fc.dictionary(fc.string(), tie('value')),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonish.value), (value) => {
        expect(canonicalJson(value)).toBe(byRoundTrip(value));
      }),
      { numRuns: 500 },
    );
  });

  it('follows JSON.stringify on the odd cases: toJSON, boxed values, holes, non-finite numbers', () => {
    const odd = {
      b: new Number(-0),
      a: [undefined, () => 1, Symbol('s'), NaN, Infinity, new String('x'), new Boolean(false)],
      c: { toJSON: (key: string) => `key ${key}` },
      d: Buffer.from([1, 2]),
      e: new Map([[1, 2]]),
      '\ud800': 'lone surrogate',
    };
    expect(canonicalJson(odd)).toBe(byRoundTrip(odd));
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});
