import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { decryptField, encryptField, isSealedField, parseSealedField, PII_PREFIX } from './field-cipher';

describe('an encrypted personal field', () => {
  const keyId = randomUUID();
  const key = randomBytes(32);

  it('reads pii:v1:<keyId>:<iv>:<ciphertext+tag>, base64url, and opens with its key', () => {
    const value = encryptField(keyId, key, 'Bruno Martin');
    expect(value).toMatch(
      new RegExp(`^pii:v1:${keyId}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`), // 12-byte iv → 16 characters
    );
    const sealed = parseSealedField(value)!;
    expect(sealed.keyId).toBe(keyId);
    expect(sealed.sealed).toHaveLength(Buffer.byteLength('Bruno Martin') + 16);
    expect(decryptField(sealed, key)).toBe('Bruno Martin');
    expect(isSealedField(value)).toBe(true);
    expect(isSealedField('bruno@example.fr')).toBe(false);
  });

  it('round-trips any text, and never twice the same ciphertext', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const a = encryptField(keyId, key, text);
        expect(decryptField(parseSealedField(a)!, key)).toBe(text);
        expect(encryptField(keyId, key, text)).not.toBe(a);
      }),
    );
  });

  it('does not open with another key, under another key id, or altered', () => {
    const value = encryptField(keyId, key, 'alice@example.org');
    const sealed = parseSealedField(value)!;
    expect(decryptField(sealed, randomBytes(32))).toBeNull();
    expect(decryptField({ ...sealed, keyId: randomUUID() }, key)).toBeNull();
    const flipped = Buffer.from(sealed.sealed);
    flipped[0] = flipped[0]! ^ 1;
    expect(decryptField({ ...sealed, sealed: flipped }, key)).toBeNull();
    expect(decryptField({ ...sealed, sealed: sealed.sealed.subarray(0, 8) }, key)).toBeNull();
  });

  it('refuses what is not in the format', () => {
    for (const value of [
      'alice@example.org',
      `${PII_PREFIX}not-a-uuid:AAAA:BBBB`,
      `${PII_PREFIX}${keyId}:AAAA`,
      `${PII_PREFIX}${keyId}:AA+A:BBBB`,
      `${PII_PREFIX}${keyId}:AAAA:BBBB:CCCC`,
      `pii:v2:${keyId}:AAAA:BBBB`,
    ]) {
      expect(parseSealedField(value)).toBeNull();
    }
  });
});
