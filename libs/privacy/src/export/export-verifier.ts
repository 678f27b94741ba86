import { chainHash, GENESIS_HASH } from '@passerelle/event-store/hash-chain';
import { checkHeadSignature, headDigest } from '../signed-heads';
import { auditorTrust, type KeyTrustBasis, type SigningKeySuccession } from '../rotation/signing-key-ring';
import {
  AUDIT_EXPORT_FORMAT,
  AUDIT_EXPORT_FORMATS,
  keyFingerprint,
  publicKeyFromText,
  type ExportEventRecord,
  type ExportHeadRecord,
  type ExportScope,
} from './export-format';

export type ExportFailureReason =
  /** A line that is not a record of the format, or a record out of its place. */
  | 'malformed'
  /** An event (or head) whose position does not come after the one before it. */
  | 'position_order'
  /** An event whose revision is not the next of its stream: an event before it is missing or moved. */
  | 'revision_gap'
  /** An event whose hash does not follow from its content and the previous hash of its stream. */
  | 'hash_mismatch'
  /** An event of a stream a one-partnership export does not cover. */
  | 'out_of_scope'
  /** An event after the position the export says it ends at. */
  | 'beyond_head'
  /**
   * A head signed by a key the export does not list, or the auditor does not trust, or after the
   * position where a rotation retired that key.
   */
  | 'untrusted_key'
  /** A rotation of the signing key whose signatures do not hold, or a key handed to two successors. */
  | 'bad_succession'
  | 'bad_signature'
  /** A head whose digest is not that of the streams' last hashes at its position. */
  | 'digest_mismatch'
  /** A stream whose last exported hash is not the one the covering head was signed over. */
  | 'coverage_mismatch'
  /** Events no signed head covers. */
  | 'not_covered'
  /** The export stops before its end record, or its counts differ. */
  | 'incomplete';

export interface ExportFailure {
  reason: ExportFailureReason;
  /** 1-based line of the export: where the check failed (for a stream the covering head disagrees with, its last event). */
  line: number;
  message: string;
  eventId?: string;
  streamId?: string;
  revision?: number;
  position?: number;
}

export interface ExportKeyReport {
  publicKey: string;
  fingerprint: string;
  /**
   * Accepted to sign heads: listed by the export and, when the auditor pinned keys, one of them or a
   * key linked to one by the recorded rotations.
   */
  trusted: boolean;
  /**
   * Why: `listed` (nothing pinned: the export's keys are taken as they are), `pinned`, `predecessor`
   * (a trusted key succeeded it), `successor` (a trusted key handed over to it); absent when not trusted.
   */
  trust?: 'listed' | KeyTrustBasis;
  /** A rotation retired this key: heads it signed after this position are refused. */
  retiredAt?: number;
  /** Heads whose signature by this key holds. */
  heads: number;
}

export interface ExportSuccessionReport {
  previous: string;
  next: string;
  lastPosition: number;
  /** Followed to trust keys; else why not. */
  followed: boolean;
  problem?: 'bad_signature' | 'fork';
}

export interface ExportReport {
  ok: boolean;
  scope?: ExportScope;
  /** The position the export says it ends at. */
  position: number;
  exportedAt?: string;
  events: number;
  streams: number;
  /** Heads whose signature and digest were checked (the covering one included). */
  heads: number;
  /** Position of the covering head once it holds: every event up to it is covered (0: not verified). */
  coveredTo: number;
  keys: ExportKeyReport[];
  /** The rotations of the signing key the export carries (format v2), oldest first. */
  successions: ExportSuccessionReport[];
  /** Whether the auditor named the keys to trust (else those the export lists are accepted). */
  keysPinned: boolean;
  /** The first failure in file order: the first event (or head) that does not match. */
  firstFailure?: ExportFailure;
  failureCount: number;
  /** The first failures, in file order. */
  failures: ExportFailure[];
}

export interface ExportVerifierOptions {
  /**
   * Public keys (SPKI DER base64, or PEM) the auditor holds from elsewhere. When given, a head must be
   * signed by one of them; otherwise by a key the export lists (and the report shows its fingerprint).
   */
  trustedKeys?: readonly string[];
}

const LISTED_FAILURES = 100;
type Phase = 'start' | 'keys' | 'body' | 'head-streams' | 'covered' | 'ended' | 'stopped';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown): value is string => typeof value === 'string';
const isHash = (value: unknown): value is string => isText(value) && /^[0-9a-f]{64}$/.test(value);

function asEvent(record: Record<string, unknown>): ExportEventRecord | null {
  const { streamId, revision, position, recordedAt, id, type, version, data, metadata, hash } = record;
  const valid =
    isText(streamId) &&
    isCount(revision) &&
    isCount(position) &&
    isText(recordedAt) &&
    isText(id) &&
    isText(type) &&
    isCount(version) &&
    isRecord(data) &&
    isRecord(metadata) &&
    isHash(hash);
  return valid ? (record as unknown as ExportEventRecord) : null;
}

function asHead(record: Record<string, unknown>): ExportHeadRecord | null {
  const { position, digest, streams, signature, publicKey, signedAt } = record;
  const valid =
    isCount(position) &&
    isHash(digest) &&
    isCount(streams) &&
    isText(signature) &&
    isText(publicKey) &&
    isText(signedAt);
  return valid ? (record as unknown as ExportHeadRecord) : null;
}

function asScope(value: unknown): ExportScope | null {
  if (!isRecord(value)) return null;
  if (value.kind === 'log') return { kind: 'log' };
  const { partnershipId, streams } = value;
  if (value.kind !== 'partnership' || !isText(partnershipId) || !Array.isArray(streams)) return null;
  // A partnership's streams are named after it: `<category>-<partnershipId>`.
  if (!streams.every((stream) => isText(stream) && stream.endsWith(`-${partnershipId}`))) return null;
  return { kind: 'partnership', partnershipId, streams: streams as string[] };
}

const describeEvent = (event: ExportEventRecord): string =>
  `event ${event.id} (${event.streamId} revision ${event.revision}, position ${event.position})`;

/**
 * Checks an audit export (export-format.ts) line by line, without the service or its database: every
 * stream's hash chain (hash-chain.ts), every head's signature and digest (signed-heads.ts), and that the
 * covering head's streams are those exported. Pure: feed it the lines, then ask for the report. Memory
 * holds the last hash of each stream, as the store's own verification does.
 */
export class ExportVerifier {
  private phase: Phase = 'start';
  private line = 0;
  private scope?: ExportScope;
  private position = 0;
  private exportedAt?: string;
  private readonly pinned?: Set<string>;
  private readonly keys = new Map<string, ExportKeyReport>();
  private readonly successions: { succession: SigningKeySuccession; line: number }[] = [];
  private successionReports: ExportSuccessionReport[] = [];
  private signerLimits = new Map<string, number>();
  private trustSettled = false;
  private readonly streams = new Map<
    string,
    { revision: number; hash: string; position: number; eventId: string; line: number }
  >();
  /** Last hash of every stream exported so far, as a head's digest lists them. */
  private readonly lastHashes = new Map<string, string>();
  private readonly headStreams = new Map<string, string>();
  private lastHeadStream = '';
  private floor = 0;
  private events = 0;
  private headsSeen = 0;
  private headsChecked = 0;
  private coveredTo = 0;
  private failureCount = 0;
  private readonly failures: ExportFailure[] = [];

  constructor(options: ExportVerifierOptions = {}) {
    if (options.trustedKeys) this.pinned = new Set(options.trustedKeys.map(publicKeyFromText));
  }

  /** One line of the export (without its line break). */
  add(text: string): void {
    this.line += 1;
    if (this.phase === 'stopped') return;
    if (this.phase === 'ended') return this.fail('malformed', 'a line after the end record');
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return this.fail('malformed', 'not a JSON record');
    }
    if (!isRecord(record)) return this.fail('malformed', 'not a JSON object');
    if (this.phase === 'start') return this.header(record);
    if (record.kind !== 'key' && record.kind !== 'succession') this.settleTrust();
    switch (record.kind) {
      case 'key':
        return this.key(record);
      case 'succession':
        return this.succession(record);
      case 'event':
        return this.event(record);
      case 'head':
        return this.interimHead(record);
      case 'head-stream':
        return this.headStream(record);
      case 'covering-head':
        return this.coveringHead(record);
      case 'end':
        return this.end(record);
      default:
        return this.fail('malformed', `unknown record kind ${JSON.stringify(record.kind)}`);
    }
  }

  report(): ExportReport {
    this.settleTrust();
    if (this.phase === 'start') this.fail('malformed', 'the export is empty');
    else if (this.phase !== 'ended' && this.phase !== 'stopped') {
      if (this.phase !== 'covered' && this.position > 0) {
        this.fail('not_covered', `no covering head: events up to position ${this.position} are not covered`);
      }
      this.fail(
        'incomplete',
        `the export stops at line ${this.line}, before its end record: it was cut short`,
      );
    }
    return {
      ok: this.failureCount === 0,
      ...(this.scope ? { scope: this.scope } : {}),
      position: this.position,
      ...(this.exportedAt ? { exportedAt: this.exportedAt } : {}),
      events: this.events,
      streams: this.streams.size,
      heads: this.headsChecked,
      coveredTo: this.coveredTo,
      keys: [...this.keys.values()],
      successions: this.successionReports,
      keysPinned: this.pinned !== undefined,
      ...(this.failures[0] ? { firstFailure: this.failures[0] } : {}),
      failureCount: this.failureCount,
      failures: this.failures,
    };
  }

  private header(record: Record<string, unknown>): void {
    const scope = asScope(record.scope);
    const formats: readonly unknown[] = AUDIT_EXPORT_FORMATS;
    if (record.kind !== 'export' || !formats.includes(record.format)) {
      this.fail(
        'malformed',
        `not a ${AUDIT_EXPORT_FORMAT} export (its first line must be the export record)`,
      );
      this.phase = 'stopped';
      return;
    }
    if (!scope || !isCount(record.position) || !isText(record.exportedAt)) {
      this.fail('malformed', 'the export record has no valid scope, position or exportedAt');
      this.phase = 'stopped';
      return;
    }
    this.scope = scope;
    this.position = record.position;
    this.exportedAt = record.exportedAt;
    this.phase = 'keys';
  }

  private key(record: Record<string, unknown>): void {
    if (this.phase !== 'keys') return this.fail('malformed', 'a key record after the events');
    let publicKey: string;
    try {
      publicKey = publicKeyFromText(isText(record.publicKey) ? record.publicKey : '');
    } catch {
      return this.fail('malformed', 'a key record without an Ed25519 public key');
    }
    if (record.fingerprint !== keyFingerprint(publicKey)) {
      return this.fail('malformed', 'a key record whose fingerprint is not that of its key');
    }
    // Whether it is trusted is settled once the successions are read (settleTrust).
    this.keys.set(publicKey, { publicKey, fingerprint: keyFingerprint(publicKey), trusted: false, heads: 0 });
  }

  private succession(record: Record<string, unknown>): void {
    if (this.phase !== 'keys') return this.fail('malformed', 'a succession record after the events');
    const { previous, next, lastPosition, signatureByPrevious, signatureByNext } = record;
    if (
      !isText(previous) ||
      !isText(next) ||
      !isCount(lastPosition) ||
      !isText(signatureByPrevious) ||
      !isText(signatureByNext)
    ) {
      return this.fail('malformed', 'a succession record with a missing or invalid field');
    }
    this.successions.push({
      succession: { previous, next, lastPosition, signatureByPrevious, signatureByNext },
      line: this.line,
    });
  }

  /**
   * Which keys sign heads, and up to where, from the keys and successions read: without pinned keys,
   * those the export lists; with them, those and the keys the successions link to them (auditorTrust).
   * A succession that does not hold, or a fork, is a failure at its own line.
   */
  private settleTrust(): void {
    if (this.trustSettled) return;
    this.trustSettled = true;
    const listed = [...this.keys.keys()];
    const trust = auditorTrust(
      this.pinned ? [...this.pinned] : listed,
      this.successions.map((entry) => entry.succession),
    );
    this.signerLimits = trust.signerLimits;
    for (const key of this.keys.values()) {
      const basis = trust.basis.get(key.publicKey);
      if (this.pinned && basis === undefined) continue;
      key.trusted = true;
      key.trust = this.pinned ? basis : 'listed';
      const retiredAt = trust.signerLimits.get(key.publicKey);
      if (retiredAt !== undefined) key.retiredAt = retiredAt;
    }
    const savedLine = this.line;
    this.successionReports = this.successions.map(({ succession, line }) => {
      const rejected = trust.rejected.find((entry) => entry.succession === succession);
      const { previous, next, lastPosition } = succession;
      if (rejected) {
        this.line = line;
        this.fail(
          'bad_succession',
          rejected.reason === 'fork'
            ? `the signing key ${keyFingerprint(previous)} is handed over to two keys: neither rotation is followed`
            : `the rotation from key ${keyFingerprint(previous)} to ${keyFingerprint(next)} at position ${lastPosition} is not signed by both keys`,
        );
        return { previous, next, lastPosition, followed: false, problem: rejected.reason };
      }
      return { previous, next, lastPosition, followed: true };
    });
    this.line = savedLine;
  }

  private event(record: Record<string, unknown>): void {
    if (this.phase !== 'keys' && this.phase !== 'body') {
      return this.fail('malformed', 'an event after the covering head');
    }
    this.phase = 'body';
    const event = asEvent(record);
    if (!event) return this.fail('malformed', 'an event record with a missing or invalid field');
    this.events += 1;
    const at = {
      eventId: event.id,
      streamId: event.streamId,
      revision: event.revision,
      position: event.position,
    };
    const stream = this.streams.get(event.streamId);
    const expectedRevision = stream ? stream.revision + 1 : 0;
    if (this.scope?.kind === 'partnership' && !this.scope.streams.includes(event.streamId)) {
      this.fail('out_of_scope', `${describeEvent(event)} is not of the exported partnership's streams`, at);
    } else if (event.position > this.position) {
      this.fail(
        'beyond_head',
        `${describeEvent(event)} is after position ${this.position}, where the export ends`,
        at,
      );
    } else if (event.position <= this.floor) {
      this.fail(
        'position_order',
        `${describeEvent(event)} comes after position ${this.floor}: the log is out of order`,
        at,
      );
    } else if (event.revision !== expectedRevision) {
      this.fail(
        'revision_gap',
        `${describeEvent(event)}: revision ${expectedRevision} of ${event.streamId} was expected here — an event is missing or out of order`,
        at,
      );
    } else if (event.hash !== chainHash(stream?.hash ?? GENESIS_HASH, event)) {
      this.fail(
        'hash_mismatch',
        `${describeEvent(event)}: its hash does not follow from its content and the previous event of its stream — it, or an event before it, was altered, removed or reordered`,
        at,
      );
    }
    // Chained from the hash as exported, so that one altered event is named, not every one after it.
    this.streams.set(event.streamId, {
      revision: event.revision,
      hash: event.hash,
      position: event.position,
      eventId: event.id,
      line: this.line,
    });
    this.lastHashes.set(event.streamId, event.hash);
    this.floor = Math.max(this.floor, event.position);
  }

  private interimHead(record: Record<string, unknown>): void {
    if (this.scope?.kind !== 'log' || (this.phase !== 'keys' && this.phase !== 'body')) {
      return this.fail('malformed', 'a signed head out of its place');
    }
    this.phase = 'body';
    const head = asHead(record);
    if (!head) return this.fail('malformed', 'a head record with a missing or invalid field');
    this.headsSeen += 1;
    if (head.position < this.floor || head.position >= this.position) {
      return this.fail(
        'position_order',
        `the head signed at position ${head.position} is out of place (after position ${this.floor})`,
        { position: head.position },
      );
    }
    this.floor = head.position;
    if (!this.signatureHolds(head)) return;
    this.headsChecked += 1;
    if (headDigest(this.lastHashes) !== head.digest) {
      this.fail(
        'digest_mismatch',
        `the head signed at position ${head.position} does not match the events up to it: events were removed, added or altered`,
        { position: head.position },
      );
    }
  }

  private headStream(record: Record<string, unknown>): void {
    if (this.phase !== 'keys' && this.phase !== 'body' && this.phase !== 'head-streams') {
      return this.fail('malformed', 'a head-stream record out of its place');
    }
    this.phase = 'head-streams';
    const { streamId, hash } = record;
    if (!isText(streamId) || !isHash(hash))
      return this.fail('malformed', 'a head-stream record without its fields');
    if (this.headStreams.size > 0 && !(streamId > this.lastHeadStream)) {
      return this.fail('malformed', `head-stream ${streamId} is not in stream id order`);
    }
    this.headStreams.set(streamId, hash);
    this.lastHeadStream = streamId;
  }

  private coveringHead(record: Record<string, unknown>): void {
    if (this.phase === 'covered') return this.fail('malformed', 'a second covering head');
    this.phase = 'covered';
    const head = asHead(record);
    if (!head) return this.fail('malformed', 'a head record with a missing or invalid field');
    this.headsSeen += 1;
    if (head.position !== this.position || head.position < this.floor) {
      return this.fail(
        'position_order',
        `the covering head is signed at position ${head.position}, the export says it ends at ${this.position}`,
        { position: head.position },
      );
    }
    if (!this.signatureHolds(head)) return;
    this.headsChecked += 1;
    if (headDigest(this.headStreams) !== head.digest) {
      return this.fail(
        'digest_mismatch',
        `the streams listed before the covering head (position ${head.position}) are not those it was signed over`,
        { position: head.position },
      );
    }
    const failuresBefore = this.failureCount;
    for (const streamId of this.coveredStreams()) this.compareStream(streamId);
    if (this.failureCount === failuresBefore) this.coveredTo = head.position;
  }

  /** The streams whose every event the export must hold: all of them, or the partnership's. */
  private coveredStreams(): string[] {
    const scope = this.scope!;
    const names = new Set([...this.headStreams.keys(), ...this.lastHashes.keys()]);
    const covered =
      scope.kind === 'log'
        ? names
        : new Set([
            ...scope.streams,
            ...[...this.headStreams.keys()].filter((id) => id.endsWith(`-${scope.partnershipId}`)),
          ]);
    return [...covered].sort();
  }

  private compareStream(streamId: string): void {
    const signed = this.headStreams.get(streamId);
    const exported = this.streams.get(streamId);
    if (signed === exported?.hash) return;
    const where = { streamId };
    if (!exported) {
      return this.fail(
        'coverage_mismatch',
        `${streamId}: the covering head lists it, the export holds none of its events`,
        where,
      );
    }
    // Named by the stream's last exported event and its line, where the export and the head part.
    const at = {
      ...where,
      line: exported.line,
      eventId: exported.eventId,
      revision: exported.revision,
      position: exported.position,
    };
    if (signed === undefined) {
      return this.fail(
        'coverage_mismatch',
        `${streamId}: in the export, up to revision ${exported.revision}, but not in the covering head's streams`,
        at,
      );
    }
    this.fail(
      'coverage_mismatch',
      `${streamId}: the export ends it at revision ${exported.revision} (position ${exported.position}) with another hash than the covering head was signed over — events after it were removed, or the stream was altered`,
      at,
    );
  }

  private signatureHolds(head: ExportHeadRecord): boolean {
    const key = this.keys.get(head.publicKey);
    const accepted = [...this.keys.values()].filter((k) => k.trusted).map((k) => k.publicKey);
    const problem = checkHeadSignature(head, accepted);
    const where = { position: head.position };
    const retiredAt = this.signerLimits.get(head.publicKey);
    if (problem === null && retiredAt !== undefined && head.position > retiredAt) {
      this.fail(
        'untrusted_key',
        `the head signed at position ${head.position} is signed by a key a rotation retired at position ${retiredAt}`,
        where,
      );
      return false;
    }
    if (problem === 'untrusted_key') {
      const why = key
        ? 'a key you did not pin, nor one a recorded rotation links to a pinned key'
        : 'a key the export does not list';
      this.fail('untrusted_key', `the head signed at position ${head.position} is signed by ${why}`, where);
      return false;
    }
    if (problem === 'bad_signature') {
      this.fail(
        'bad_signature',
        `the signature of the head at position ${head.position} does not hold`,
        where,
      );
      return false;
    }
    key!.heads += 1;
    return true;
  }

  private end(record: Record<string, unknown>): void {
    if (this.position > 0 && this.phase !== 'covered') {
      this.fail('not_covered', `no covering head: events up to position ${this.position} are not covered`);
    }
    this.phase = 'ended';
    if (record.events !== this.events || record.heads !== this.headsSeen) {
      this.fail(
        'incomplete',
        `the end record counts ${String(record.events)} events and ${String(record.heads)} heads, the export holds ${this.events} and ${this.headsSeen}`,
      );
    }
  }

  private fail(
    reason: ExportFailureReason,
    message: string,
    where: Partial<Omit<ExportFailure, 'reason' | 'message'>> = {},
  ): void {
    this.failureCount += 1;
    if (this.failures.length < LISTED_FAILURES) {
      this.failures.push({ reason, line: this.line, message, ...where });
    }
  }
}

/** Verifies an export given as lines (e.g. `readline` over the file). */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ExportVerifierOptions = {},
): Promise<ExportReport> {
  const verifier = new ExportVerifier(options);
  for await (const line of lines) verifier.add(line);
  return verifier.report();
}
