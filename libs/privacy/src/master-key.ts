import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  randomFillSync,
} from 'node:crypto';
import { subjectText, type SubjectKind } from '@passerelle/domain';

export class KeyConfigError extends Error {
  readonly code = 'key_config';
}

/** AES-256-GCM: 32-byte keys, 12-byte nonces, 16-byte tags. */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** DATA_KEY: the base64 (or base64url) of 32 random bytes. */
export function parseDataKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new KeyConfigError(
      'DATA_KEY must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)',
    );
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new KeyConfigError(`DATA_KEY must decode to ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** A new DATA_KEY, as text. */
export const generateDataKey = (): string => randomBytes(KEY_BYTES).toString('base64');

/**
 * Random nonces, drawn from the system's generator 256 at a time: a call for 12 bytes cost more than the
 * encryption of a field (about 7 µs against 5). Each nonce is used once, as when drawn alone.
 */
let nonces = Buffer.alloc(0);
let nextNonce = 0;
function randomNonce(): Buffer {
  if (nextNonce + IV_BYTES > nonces.length) {
    nonces = randomFillSync(Buffer.allocUnsafe(IV_BYTES * 256));
    nextNonce = 0;
  }
  const nonce = Buffer.from(nonces.subarray(nextNonce, nextNonce + IV_BYTES));
  nextNonce += IV_BYTES;
  return nonce;
}

/** AES-256-GCM with associated data. Output: iv, then ciphertext followed by its tag. */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): { iv: Buffer; sealed: Buffer } {
  const iv = randomNonce();
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(associatedData, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, sealed };
}

/** The plaintext, or null when the key, the data or the associated data do not match. */
export function open(key: Buffer, iv: Buffer, sealed: Buffer, associatedData: string): Buffer | null {
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

const derive = (master: Buffer, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `passerelle/${purpose}`, KEY_BYTES));

const WRAP_FORMAT = 'v1';
const NAMING_FORMAT = 'n1';

/**
 * The keys that name people (subjects) and requests. Subjects are written into the log itself (the
 * stream of a PersonForgotten, the tombstones), so these keys must outlive any DATA_KEY: derived from
 * the DATA_KEY a database was first written with, and kept, wrapped, when that key is rotated.
 */
export interface NamingKeys {
  subject: Buffer;
  request: Buffer;
}

export const namingKeysOf = (master: Buffer): NamingKeys => ({
  subject: derive(master, 'subject/v1'),
  request: derive(master, 'request/v1'),
});

/**
 * What the master key (DATA_KEY) is used for, each through a key of its own derived with HKDF-SHA256:
 * wrapping the per-person data keys, naming subjects (HMAC-SHA256), and a fingerprint that lets a
 * database refuse a master key other than the one its keys were wrapped with.
 */
export class MasterKey {
  private readonly wrappingKey: Buffer;
  private readonly subjectKey: Buffer;
  private readonly requestKey: Buffer;
  /** The two naming keys imported once: given bytes, every HMAC would import them again. */
  private readonly subjectHmacKey: KeyObject;
  private readonly requestHmacKey: KeyObject;
  /** hex; reveals nothing about the key. */
  readonly fingerprint: string;

  /** `naming`: the naming keys kept from an earlier DATA_KEY (see NamingKeys); by default derived from this one. */
  constructor(master: Buffer, naming?: NamingKeys) {
    if (master.length !== KEY_BYTES) throw new KeyConfigError(`The master key must be ${KEY_BYTES} bytes`);
    this.wrappingKey = derive(master, 'person-key-wrapping/v1');
    const names = naming ?? namingKeysOf(master);
    this.subjectKey = names.subject;
    this.requestKey = names.request;
    this.subjectHmacKey = createSecretKey(names.subject);
    this.requestHmacKey = createSecretKey(names.request);
    this.fingerprint = derive(master, 'key-check/v1').subarray(0, 16).toString('hex');
    this.withNaming = (kept) => new MasterKey(master, kept);
  }

  /** This key, naming people and requests with the given naming keys (kept from the database's first DATA_KEY). */
  readonly withNaming: (naming: NamingKeys) => MasterKey;

  /** The keys this instance names people and requests with. */
  get namingKeys(): NamingKeys {
    return { subject: this.subjectKey, request: this.requestKey };
  }

  /** The naming keys sealed by this key: `n1:<iv>:<ciphertext+tag>` (base64url). */
  wrapNamingKeys(naming: NamingKeys): string {
    const { iv, sealed } = seal(
      this.wrappingKey,
      Buffer.concat([naming.subject, naming.request]),
      `naming-keys:${NAMING_FORMAT}`,
    );
    return `${NAMING_FORMAT}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** null when not sealed by this key. */
  unwrapNamingKeys(wrapped: string): NamingKeys | null {
    const [format, iv, sealed, ...rest] = wrapped.split(':');
    if (format !== NAMING_FORMAT || iv === undefined || sealed === undefined || rest.length > 0) return null;
    const keys = open(
      this.wrappingKey,
      Buffer.from(iv, 'base64url'),
      Buffer.from(sealed, 'base64url'),
      `naming-keys:${NAMING_FORMAT}`,
    );
    if (!keys || keys.length !== 2 * KEY_BYTES) return null;
    return { subject: keys.subarray(0, KEY_BYTES), request: keys.subarray(KEY_BYTES) };
  }

  static fromText(dataKey: string): MasterKey {
    return new MasterKey(parseDataKey(dataKey));
  }

  /**
   * The identifier of a person: hex HMAC-SHA256 of `email:<address>` or `name:<name>` (see
   * subjectText). Stable for a given master key, and useless without it.
   */
  subjectOf(kind: SubjectKind, value: string): string {
    return createHmac('sha256', this.subjectHmacKey).update(subjectText(kind, value), 'utf8').digest('hex');
  }

  /**
   * A keyed digest of a request, kept in event metadata to tell a replay from a reused Idempotency-Key.
   * Keyed, so that a body holding an address cannot be confirmed by guessing once the person is forgotten.
   */
  requestDigest(requestHash: string): string {
    return createHmac('sha256', this.requestHmacKey).update(requestHash, 'utf8').digest('hex');
  }

  /** `v1:<iv>:<ciphertext+tag>` (base64url), bound to the key id. */
  wrap(keyId: string, key: Buffer): string {
    const { iv, sealed } = seal(this.wrappingKey, key, `person-key:${WRAP_FORMAT}:${keyId}`);
    return `${WRAP_FORMAT}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** null when the wrapped key was not wrapped by this master key for this key id. */
  unwrap(keyId: string, wrapped: string): Buffer | null {
    const [format, iv, sealed, ...rest] = wrapped.split(':');
    if (format !== WRAP_FORMAT || iv === undefined || sealed === undefined || rest.length > 0) return null;
    const key = open(
      this.wrappingKey,
      Buffer.from(iv, 'base64url'),
      Buffer.from(sealed, 'base64url'),
      `person-key:${WRAP_FORMAT}:${keyId}`,
    );
    return key && key.length === KEY_BYTES ? key : null;
  }
}
