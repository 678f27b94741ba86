import { createHash } from 'node:crypto';

/**
 * RFC 9562 version 5 (SHA-1, name-based) UUID: the same namespace and parts always give the same id, on
 * every process and every replay. Event ids (from the command id), notification and timer ids derive
 * from it, each in its own namespace (16 bytes).
 */
export function nameBasedUuid(namespace: Buffer, ...parts: (string | number)[]): string {
  const bytes = createHash('sha1').update(namespace).update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
