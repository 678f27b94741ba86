import { createHash, randomUUID } from 'node:crypto';

const NAMESPACE = Buffer.from('6f1c2a8e9b7d4e2f8a3c5d7e9f0b1a2c', 'hex');

/** RFC 4122 version 5 (SHA-1, name-based) UUID in Passerelle's namespace: the same name, the same id. */
export function deterministicUuid(...parts: (string | number)[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u0000')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the i-th event a command produces: a retried command yields the same ids. */
export const eventIdFor = (commandId: string, index: number) => deterministicUuid('event', commandId, index);

/** An id the command creates (a meeting, an agreement…) when the client did not supply one. */
export const childIdFor = (commandId: string, kind: string, index = 0) =>
  deterministicUuid(kind, commandId, index);

export const newCommandId = () => randomUUID();

/** Canonical JSON: keys sorted, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
