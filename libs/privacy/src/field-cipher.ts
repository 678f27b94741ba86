import { open, seal } from './master-key';

/**
 * An encrypted personal field, as stored in an event's data:
 *
 *   pii:v1:<keyId>:<iv>:<ciphertext+tag>
 *
 * keyId: the person's data key (a lower-case UUID); iv: 12 random bytes; ciphertext+tag: the UTF-8
 * value under AES-256-GCM with a 16-byte tag; iv and ciphertext in unpadded base64url. The
 * associated data is `pii:v1:<keyId>`, so a value cannot be moved under another key id.
 */
export const PII_PREFIX = 'pii:v1:';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface SealedField {
  keyId: string;
  iv: Buffer;
  sealed: Buffer;
}

export const isSealedField = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(PII_PREFIX);

export function encryptField(keyId: string, key: Buffer, plaintext: string): string {
  const { iv, sealed } = seal(key, Buffer.from(plaintext, 'utf8'), PII_PREFIX + keyId);
  return `${PII_PREFIX}${keyId}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
}

/** The parts of a stored value, or null when it is not a well-formed encrypted field. */
export function parseSealedField(value: string): SealedField | null {
  if (!value.startsWith(PII_PREFIX)) return null;
  const parts = value.slice(PII_PREFIX.length).split(':');
  if (parts.length !== 3) return null;
  const [keyId, iv, sealed] = parts as [string, string, string];
  if (!UUID.test(keyId) || !B64URL.test(iv) || !B64URL.test(sealed)) return null;
  return { keyId, iv: Buffer.from(iv, 'base64url'), sealed: Buffer.from(sealed, 'base64url') };
}

/** The plaintext, or null when the key does not open it (wrong key, altered value). */
export function decryptField(field: SealedField, key: Buffer): string | null {
  const plaintext = open(key, field.iv, field.sealed, PII_PREFIX + field.keyId);
  return plaintext === null ? null : plaintext.toString('utf8');
}
