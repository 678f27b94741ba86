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
 * The signed heads checked along one pass over the log in position order: give it every event as
 * stored (`event`), then `finish`. Each head is checked when the pass reaches its position: its
 * signature, its signer's limit, and its digest against the streams' last hashes there. It keeps the
 * last hash of each stream (what a digest covers), nothing per event.
 */
export class SignedHeadCheck {
  private readonly lastHashes = new Map<string, string>();
  private readonly failures: HeadFailure[] = [];
  private failed = 0;
  private nextHead = 0;
  private lastPosition = 0;

  constructor(
    private readonly heads: readonly SignedHead[],
    private readonly options: Pick<VerifyOptions, 'trustedPublicKeys' | 'signerLimits'>,
  ) {}

  /** The signed heads of the log, to check against it. */
  static async start(
    sql: SqlClient,
    options: Pick<VerifyOptions, 'trustedPublicKeys' | 'signerLimits'>,
  ): Promise<SignedHeadCheck> {
    return new SignedHeadCheck(await listSignedHeads(sql), options);
  }

  /** The next event of the log as stored. */
  event(event: Pick<RecordedEvent, 'streamId' | 'position' | 'hash'>): void {
    // Heads signed before this event see the log as it was up to their position.
    while (this.nextHead < this.heads.length && this.heads[this.nextHead]!.position < event.position) {
      this.check(this.heads[this.nextHead++]!, false);
    }
    this.lastPosition = Math.max(this.lastPosition, event.position);
    this.lastHashes.set(event.streamId, event.hash);
  }

  /** The heads not reached yet are checked against the end of the log. */
  finish(): IntegrityResult['heads'] {
    while (this.nextHead < this.heads.length) this.check(this.heads[this.nextHead++]!, true);
    const latest = this.heads.at(-1);
    return {
      checked: this.heads.length,
      failed: this.failed,
      failures: this.failures,
      ...(latest ? { latest: { position: latest.position, signedAt: latest.signedAt.toISOString() } } : {}),
    };
  }

  private fail(head: SignedHead, reason: HeadFailureReason): void {
    this.failed += 1;
    if (this.failures.length < MAX_LISTED_HEAD_FAILURES) {
      this.failures.push({ position: head.position, signedAt: head.signedAt.toISOString(), reason });
    }
  }

  private check(head: SignedHead, logEnded: boolean): void {
    const signature = checkHeadSignature(head, this.options.trustedPublicKeys);
    if (signature) return this.fail(head, signature);
    if (head.position > (this.options.signerLimits?.get(head.publicKey) ?? Infinity))
      return this.fail(head, 'untrusted_key');
    if (logEnded && head.position > this.lastPosition) return this.fail(head, 'log_truncated');
    if (headDigest(this.lastHashes) !== head.digest) this.fail(head, 'digest_mismatch');
  }
}

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
  const heads = await SignedHeadCheck.start(sql, options);
  const streams = new Map<string, { revision: number; hash: string }>();
  let checkedEvents = 0;
  let lastPosition = 0;
  let mismatches = 0;
  let firstMismatch: Mismatch | undefined;

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
      heads.event(event);
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
    }
    after = batch[batch.length - 1]!.position;
  }
  const signedHeads = heads.finish();

  return {
    ok: mismatches === 0 && signedHeads.failed === 0,
    checkedEvents,
    checkedStreams: streams.size,
    headPosition: lastPosition,
    ...(firstMismatch ? { firstMismatch } : {}),
    mismatches,
    heads: signedHeads,
    durationMs: Date.now() - started,
  };
}
