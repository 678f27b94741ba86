import { createHash, hash } from 'node:crypto';

/** SHA-1 of some bytes: Node's one-shot digest (from 20.12) spares a Hash object per id. */
const sha1: (bytes: Buffer) => Buffer =
  typeof hash === 'function'
    ? (bytes) => hash('sha1', bytes, 'buffer')
    : (bytes) => createHash('sha1').update(bytes).digest();

/**
 * RFC 9562 version 5 (SHA-1, name-based) UUID: the same namespace and parts always give the same id, on
 * every process and every replay. Event ids (from the command id), notification and timer ids derive
 * from it, each in its own namespace (16 bytes).
 */
export function nameBasedUuid(namespace: Buffer, ...parts: (string | number)[]): string {
  const bytes = sha1(Buffer.concat([namespace, Buffer.from(parts.join('\u0000'), 'utf8')]));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
