import { canonicalJson as chainCanonicalJson } from '@passerelle/event-store';
import { canonicalJson, sha256 } from './ids';

describe('request hashing', () => {
  it('uses the hash chain’s canonical JSON, so the output is always valid JSON', () => {
    expect(canonicalJson).toBe(chainCanonicalJson);
    const text = canonicalJson({ x: [undefined, 1], d: { toJSON: () => 'T' } });
    expect(text).toBe('{"d":"T","x":[null,1]}');
    expect(JSON.parse(text)).toEqual({ d: 'T', x: [null, 1] });
  });

  it('hashes a request body the same whatever its key order', () => {
    const body = JSON.parse('{"title":"Lab","parties":[{"b":2,"a":1}],"at":"2026-01-02"}') as unknown;
    const reordered = JSON.parse('{"at":"2026-01-02","parties":[{"a":1,"b":2}],"title":"Lab"}') as unknown;
    expect(sha256(canonicalJson({ target: 'p-1', body }))).toBe(
      sha256(canonicalJson({ body: reordered, target: 'p-1' })),
    );
    expect(canonicalJson({ target: 'p-1', body })).toBe(
      '{"body":{"at":"2026-01-02","parties":[{"a":1,"b":2}],"title":"Lab"},"target":"p-1"}',
    );
  });
});
