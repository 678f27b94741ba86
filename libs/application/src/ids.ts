import { nameBasedUuid } from '@passerelle/event-store';
import { createHash, randomUUID } from 'node:crypto';

const NAMESPACE = Buffer.from('6f1c2a8e9b7d4e2f8a3c5d7e9f0b1a2c', 'hex');

/** A version 5 UUID in the application's namespace (see nameBasedUuid): the same name, the same id. */
export const deterministicUuid = (...parts: (string | number)[]): string =>
  nameBasedUuid(NAMESPACE, ...parts);

/** The id of the i-th event a command produces: a retried command yields the same ids. */
export const eventIdFor = (commandId: string, index: number) => deterministicUuid('event', commandId, index);

/** An id the command creates (a meeting, an agreement…) when the client did not supply one. */
export const childIdFor = (commandId: string, kind: string, index = 0) =>
  deterministicUuid(kind, commandId, index);

export const newCommandId = () => randomUUID();

/** Canonical JSON, the hash chain's: equal requests hash equally whatever their key order. */
export { canonicalJson } from '@passerelle/event-store';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
