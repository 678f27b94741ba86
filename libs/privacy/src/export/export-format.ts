import type { EventMetadata } from '@passerelle/event-store/event-store.port';
import { createHash, createPublicKey } from 'node:crypto';

/**
 * The audit export: JSON Lines, one record a line, in this order (see docs/audit-export.md):
 *
 *   export          what was exported: the whole log or one partnership's streams, up to `position`
 *   key …           the public keys that signed the heads below
 *   succession …    every rotation of the signing key, signed by both keys (v2)
 *   event | head …  the events as stored, in position order; in a whole-log export each signed head
 *                   follows the last event up to its position
 *   head-stream …   the last hash of every stream of the log at `position`, sorted by stream id
 *   covering-head   the head signed at `position`, whose digest is computed from those pairs
 *   end             counts, so that an export cut short shows
 */
export const AUDIT_EXPORT_FORMAT = 'passerelle-audit-export/v2';
/** The formats the verifier reads: v1 is v2 without succession records (written before they were carried). */
export const AUDIT_EXPORT_FORMATS = ['passerelle-audit-export/v1', AUDIT_EXPORT_FORMAT] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The whole log, or the streams of one partnership (`<category>-<partnershipId>`). */
export type ExportScope = { kind: 'log' } | { kind: 'partnership'; partnershipId: string; streams: string[] };

export interface ExportHeaderRecord {
  kind: 'export';
  format: AuditExportFormat;
  scope: ExportScope;
  /** Every event up to this global position is in the export (of the streams in scope); none after it. */
  position: number;
  exportedAt: string;
}

export interface ExportKeyRecord {
  kind: 'key';
  algorithm: 'Ed25519';
  /** SPKI DER, base64: as signed heads name their signer. */
  publicKey: string;
  /** sha256 hex of the SPKI DER: what to compare with the key kept elsewhere. */
  fingerprint: string;
}

/**
 * A rotation of the signing key as the service recorded it (signing-key-ring.ts): `previous` signed the
 * heads up to `lastPosition` and no further, `next` from then on; both keys signed
 * "passerelle/signing-key-succession/v1\n" + canonical JSON {lastPosition, next, previous}, so an auditor
 * who holds either key can follow it.
 */
export interface ExportSuccessionRecord {
  kind: 'succession';
  previous: string;
  next: string;
  lastPosition: number;
  signatureByPrevious: string;
  signatureByNext: string;
}

/** An event exactly as stored: personal fields as the ciphertext the hash chain covers. */
export interface ExportEventRecord {
  kind: 'event';
  streamId: string;
  revision: number;
  position: number;
  recordedAt: string;
  id: string;
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  hash: string;
}

export interface ExportHeadRecord {
  kind: 'head' | 'covering-head';
  position: number;
  digest: string;
  streams: number;
  signature: string;
  publicKey: string;
  signedAt: string;
}

export interface ExportHeadStreamRecord {
  kind: 'head-stream';
  streamId: string;
  hash: string;
}

export interface ExportEndRecord {
  kind: 'end';
  events: number;
  heads: number;
}

export type ExportRecord =
  | ExportHeaderRecord
  | ExportKeyRecord
  | ExportSuccessionRecord
  | ExportEventRecord
  | ExportHeadRecord
  | ExportHeadStreamRecord
  | ExportEndRecord;

/** sha256 hex of a public key's SPKI DER (given as its base64). */
export const keyFingerprint = (publicKey: string): string =>
  createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex');

/** A public key as heads name it (SPKI DER, base64), from that text itself or a PEM. */
export function publicKeyFromText(text: string): string {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPublicKey({ key: trimmed, format: 'pem' })
    : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}
