import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import type { SignedHead } from '../signed-heads';
import type { SigningKeySuccession } from '../rotation/signing-key-ring';
import {
  AUDIT_EXPORT_FORMAT,
  keyFingerprint,
  type ExportEventRecord,
  type ExportHeadRecord,
  type ExportRecord,
  type ExportScope,
} from './export-format';

export interface ExportSource {
  /** The store as stored (under no decrypting decorator): the export carries what the hashes cover. */
  store: EventStore;
  /** Every signed head, oldest first; those after the covering head are left out. */
  heads: readonly SignedHead[];
  /** Every recorded rotation of the signing key (signing_key_successions), oldest first. */
  successions: readonly SigningKeySuccession[];
  /** The head the export ends at, with the pairs its digest is computed from; null for an empty log. */
  covering: { head: SignedHead; lastHashes: readonly (readonly [string, string])[] } | null;
  scope: ExportScope;
  exportedAt: Date;
  batchSize?: number;
}

/**
 * The records of an audit export (export-format.ts), in file order, read a batch at a time: memory
 * stays bounded by the batch, the heads and the covering head's stream list.
 */
export async function* auditExportRecords(source: ExportSource): AsyncGenerator<ExportRecord> {
  const position = source.covering?.head.position ?? 0;
  const batchSize = source.batchSize ?? 1000;
  // A one-partnership export carries only the covering head: earlier digests need every stream's events.
  const interim = source.scope.kind === 'log' ? source.heads.filter((head) => head.position < position) : [];
  const signers = [...interim, ...(source.covering ? [source.covering.head] : [])];

  yield {
    kind: 'export',
    format: AUDIT_EXPORT_FORMAT,
    scope: source.scope,
    position,
    exportedAt: source.exportedAt.toISOString(),
  };
  for (const publicKey of new Set(signers.map((head) => head.publicKey))) {
    yield { kind: 'key', algorithm: 'Ed25519', publicKey, fingerprint: keyFingerprint(publicKey) };
  }
  // All of them, whatever the scope: the covering head may be signed by a key an auditor knows only
  // through the chain of rotations from the key they pinned.
  for (const succession of source.successions) yield { kind: 'succession', ...succession };

  const events =
    source.scope.kind === 'log'
      ? logEvents(source.store, position, batchSize)
      : mergeByPosition(
          source.scope.streams.map((streamId) => streamEvents(source.store, streamId, position, batchSize)),
        );
  let count = 0;
  let nextHead = 0;
  for await (const event of events) {
    while (nextHead < interim.length && interim[nextHead]!.position < event.position) {
      yield headRecord('head', interim[nextHead++]!);
    }
    count += 1;
    yield eventRecord(event);
  }
  while (nextHead < interim.length) yield headRecord('head', interim[nextHead++]!);

  if (source.covering) {
    for (const [streamId, hash] of source.covering.lastHashes) yield { kind: 'head-stream', streamId, hash };
    yield headRecord('covering-head', source.covering.head);
  }
  yield { kind: 'end', events: count, heads: signers.length };
}

const eventRecord = (event: RecordedEvent): ExportEventRecord => ({
  kind: 'event',
  streamId: event.streamId,
  revision: event.revision,
  position: event.position,
  recordedAt: event.recordedAt.toISOString(),
  id: event.id,
  type: event.type,
  version: event.version,
  data: event.data,
  metadata: event.metadata,
  hash: event.hash,
});

const headRecord = (kind: ExportHeadRecord['kind'], head: SignedHead): ExportHeadRecord => ({
  kind,
  position: head.position,
  digest: head.digest,
  streams: head.streams,
  signature: head.signature,
  publicKey: head.publicKey,
  signedAt: head.signedAt.toISOString(),
});

async function* logEvents(store: EventStore, upTo: number, batchSize: number): AsyncGenerator<RecordedEvent> {
  for (let after = 0; after < upTo;) {
    const batch = await store.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) return;
    for (const event of batch) {
      if (event.position > upTo) return;
      yield event;
    }
    after = batch[batch.length - 1]!.position;
  }
}

async function* streamEvents(
  store: EventStore,
  streamId: string,
  upTo: number,
  batchSize: number,
): AsyncGenerator<RecordedEvent> {
  for (let fromRevision = 0; ;) {
    const batch = await store.readStream(streamId, { fromRevision, maxCount: batchSize });
    for (const event of batch) {
      if (event.position > upTo) return;
      yield event;
    }
    if (batch.length < batchSize) return;
    fromRevision = batch[batch.length - 1]!.revision + 1;
  }
}

/** Several streams' events (each in position order) as one sequence in position order. */
async function* mergeByPosition(sources: AsyncGenerator<RecordedEvent>[]): AsyncGenerator<RecordedEvent> {
  const heads = await Promise.all(sources.map((source) => source.next()));
  for (;;) {
    let next = -1;
    heads.forEach((head, index) => {
      if (!head.done && (next < 0 || head.value.position < (heads[next]!.value as RecordedEvent).position)) {
        next = index;
      }
    });
    if (next < 0) return;
    yield heads[next]!.value as RecordedEvent;
    heads[next] = await sources[next]!.next();
  }
}
