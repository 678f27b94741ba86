import type { SqlClient } from '@passerelle/database';
import { chainHash, GENESIS_HASH, type EventStore, type RecordedEvent } from '@passerelle/event-store';
import { checkHeadSignature, headDigest, listSignedHeads, type SignedHead } from './signed-heads';

export type MismatchReason = 'hash_mismatch' | 'revision_gap' | 'position_order';

export interface Mismatch {
  streamId: string;
  revision: number;
  position: number;
  reason: MismatchReason;
}

export type HeadFailureReason =
  /** The streams' last hashes at that position are not what was signed: events removed, added or rewritten. */
  | 'digest_mismatch'
  /** The log now ends before the signed position. */
  | 'log_truncated'
  | 'bad_signature'
  /** Signed by a key that is not the configured one. */
  | 'untrusted_key';

export interface HeadFailure {
  position: number;
  signedAt: string;
  reason: HeadFailureReason;
}

export interface IntegrityResult {
  ok: boolean;
  checkedEvents: number;
  checkedStreams: number;
  /** Position of the last event checked (0 for an empty log). */
  headPosition: number;
  /** The first event, in log order, whose stored hash or revision does not hold. */
  firstMismatch?: Mismatch;
  /** Events that do not hold, in all. */
  mismatches: number;
  heads: {
    checked: number;
    failed: number;
    failures: HeadFailure[];
    /** The most recent signed head, if any. */
    latest?: { position: number; signedAt: string };
  };
  durationMs: number;
}

export interface VerifyOptions {
  /** Public keys (SPKI DER, base64) whose signatures are accepted: the configured signing key's. */
  trustedPublicKeys: readonly string[];
  /** Keys trusted only up to a position (a rotated-out signing key, see trustedSigners): a later head is untrusted. */
  signerLimits?: ReadonlyMap<string, number>;
  batchSize?: number;
}

const MAX_LISTED_HEAD_FAILURES = 100;

/**
 * Recomputes every stream's hash chain over the events as stored (give it the store under any
 * decorator) and checks every signed head: its signature, and its digest against the streams' last
 * hashes at its position.
 */
export async function verifyIntegrity(
  store: EventStore,
  sql: SqlClient,
  options: VerifyOptions,
): Promise<IntegrityResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 1000;
  const heads = await listSignedHeads(sql);
  const streams = new Map<string, { revision: number; hash: string }>();
  const lastHashes = new Map<string, string>();
  let checkedEvents = 0;
  let lastPosition = 0;
  let mismatches = 0;
  let firstMismatch: Mismatch | undefined;
  const headFailures: HeadFailure[] = [];
  let failedHeads = 0;
  let nextHead = 0;

  const fail = (head: SignedHead, reason: HeadFailureReason) => {
    failedHeads += 1;
    if (headFailures.length < MAX_LISTED_HEAD_FAILURES) {
      headFailures.push({ position: head.position, signedAt: head.signedAt.toISOString(), reason });
    }
  };
  const checkHead = (head: SignedHead, logEnded: boolean) => {
    const signature = checkHeadSignature(head, options.trustedPublicKeys);
    if (signature) return fail(head, signature);
    if (head.position > (options.signerLimits?.get(head.publicKey) ?? Infinity))
      return fail(head, 'untrusted_key');
    if (logEnded && head.position > lastPosition) return fail(head, 'log_truncated');
    if (headDigest(lastHashes) !== head.digest) fail(head, 'digest_mismatch');
  };
  const mismatch = (event: RecordedEvent, reason: MismatchReason) => {
    mismatches += 1;
    firstMismatch ??= {
      streamId: event.streamId,
      revision: event.revision,
      position: event.position,
      reason,
    };
  };

  for (let after = 0; ;) {
    const batch = await store.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) break;
    for (const event of batch) {
      // Heads signed before this event see the log as it was up to their position.
      while (nextHead < heads.length && heads[nextHead]!.position < event.position) {
        checkHead(heads[nextHead++]!, false);
      }
      checkedEvents += 1;
      if (event.position <= lastPosition) mismatch(event, 'position_order');
      lastPosition = Math.max(lastPosition, event.position);
      const stream = streams.get(event.streamId);
      if (event.revision !== (stream ? stream.revision + 1 : 0)) {
        mismatch(event, 'revision_gap');
      } else if (event.hash !== chainHash(stream?.hash ?? GENESIS_HASH, event)) {
        // Chained from the previous stored hash: the altered event is named, not every one after it.
        mismatch(event, 'hash_mismatch');
      }
      streams.set(event.streamId, { revision: event.revision, hash: event.hash });
      lastHashes.set(event.streamId, event.hash);
    }
    after = batch[batch.length - 1]!.position;
  }
  while (nextHead < heads.length) checkHead(heads[nextHead++]!, true);

  const latest = heads.at(-1);
  return {
    ok: mismatches === 0 && failedHeads === 0,
    checkedEvents,
    checkedStreams: streams.size,
    headPosition: lastPosition,
    ...(firstMismatch ? { firstMismatch } : {}),
    mismatches,
    heads: {
      checked: heads.length,
      failed: failedHeads,
      failures: headFailures,
      ...(latest ? { latest: { position: latest.position, signedAt: latest.signedAt.toISOString() } } : {}),
    },
    durationMs: Date.now() - started,
  };
}
