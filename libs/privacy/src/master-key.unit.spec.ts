import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { generateDataKey, KeyConfigError, MasterKey, open, parseDataKey, seal } from './master-key';

describe('the master key (DATA_KEY)', () => {
  it('is the base64 of 32 bytes, and nothing else', () => {
    const text = generateDataKey();
    expect(parseDataKey(text)).toHaveLength(32);
    expect(parseDataKey(randomBytes(32).toString('base64url'))).toHaveLength(32);
    expect(() => parseDataKey('k'.repeat(44))).toThrow(KeyConfigError);
    expect(() => parseDataKey(randomBytes(16).toString('base64'))).toThrow('32 bytes, got 16');
    expect(() => parseDataKey('not base64 at all!')).toThrow(KeyConfigError);
  });

  it('names subjects with a keyed hash of the normalised address or name, never the text itself', () => {
    const key = MasterKey.fromText(generateDataKey());
    const alice = key.subjectOf('email', 'Alice@Example.org ');
    expect(alice).toMatch(/^[0-9a-f]{64}$/);
    expect(key.subjectOf('email', 'alice@example.org')).toBe(alice);
    expect(key.subjectOf('name', 'alice@example.org')).not.toBe(alice);
    expect(MasterKey.fromText(generateDataKey()).subjectOf('email', 'alice@example.org')).not.toBe(alice);
  });

  it('derives the subject key with HKDF-SHA256, so the HMAC can be recomputed from DATA_KEY alone', () => {
    const master = randomBytes(32);
    const subjectKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'passerelle/subject/v1', 32));
    const expected = createHmac('sha256', subjectKey).update('email:bob@example.fr').digest('hex');
    expect(new MasterKey(master).subjectOf('email', 'BOB@example.fr')).toBe(expected);
    // Request digests are HMAC-SHA256 under the request naming key, as stored in every event's metadata.
    const key = new MasterKey(master);
    const digest = createHmac('sha256', key.namingKeys.request).update('request-hash').digest('hex');
    expect(key.requestDigest('request-hash')).toBe(digest);
  });

  it('wraps a data key so that only the same master key and key id unwrap it', () => {
    const master = MasterKey.fromText(generateDataKey());
    const dataKey = randomBytes(32);
    const wrapped = master.wrap('key-1', dataKey);
    expect(wrapped).toMatch(/^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(wrapped).not.toContain(dataKey.toString('base64url'));
    expect(master.unwrap('key-1', wrapped)).toEqual(dataKey);
    expect(master.unwrap('key-2', wrapped)).toBeNull();
    expect(MasterKey.fromText(generateDataKey()).unwrap('key-1', wrapped)).toBeNull();
    expect(master.unwrap('key-1', wrapped.slice(0, -2) + (wrapped.endsWith('A') ? 'BB' : 'AA'))).toBeNull();
    expect(master.unwrap('key-1', 'v2:x:y')).toBeNull();
  });

  it('has a fingerprint that tells keys apart', () => {
    const text = generateDataKey();
    expect(MasterKey.fromText(text).fingerprint).toBe(MasterKey.fromText(text).fingerprint);
    expect(MasterKey.fromText(text).fingerprint).not.toBe(MasterKey.fromText(generateDataKey()).fingerprint);
  });

  it('keeps the naming keys of another master key: sealed by this one, opened by it alone', () => {
    const [first, next] = [MasterKey.fromText(generateDataKey()), MasterKey.fromText(generateDataKey())];
    const sealed = next.wrapNamingKeys(first.namingKeys);
    expect(first.unwrapNamingKeys(sealed)).toBeNull();
    const kept = next.withNaming(next.unwrapNamingKeys(sealed)!);
    expect(kept.subjectOf('email', 'alice@example.org')).toBe(first.subjectOf('email', 'alice@example.org'));
    expect(kept.requestDigest('r')).toBe(first.requestDigest('r'));
    expect(kept.fingerprint).toBe(next.fingerprint);
    expect(next.subjectOf('email', 'alice@example.org')).not.toBe(
      first.subjectOf('email', 'alice@example.org'),
    );
  });

  it('seals each value under a nonce of its own, across the batches nonces are drawn in', () => {
    const key = randomBytes(32);
    const nonces = new Set<string>();
    for (let n = 0; n < 1000; n++) {
      const { iv, sealed } = seal(key, Buffer.from(`value ${n}`), 'ad');
      expect(iv).toHaveLength(12);
      nonces.add(iv.toString('hex'));
      expect(open(key, iv, sealed, 'ad')?.toString()).toBe(`value ${n}`);
    }
    expect(nonces.size).toBe(1000);
  });
});
