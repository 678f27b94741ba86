import { createPublicKey, sign, verify } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import { canonicalJson } from '@passerelle/event-store';
import { KeyConfigError } from '../master-key';
import { parseSigningKey, type SigningKey } from '../signing-key';

/**
 * The SIGNING_KEYs a process holds: the configured one first, then the previous one while a rotation
 * runs. Which of them signs heads is the database's choice (signing_key_check), so that every process
 * of a deployment switches at once, when rotateSigningKey records the switch.
 */
export class SigningKeyRing {
  readonly keys: readonly SigningKey[];

  constructor(
    readonly current: SigningKey,
    previous: readonly SigningKey[] = [],
  ) {
    this.keys = [current, ...previous.filter((key) => key.publicKeyText !== current.publicKeyText)];
  }

  static of(keys: SigningKey | SigningKeyRing): SigningKeyRing {
    return keys instanceof SigningKeyRing ? keys : new SigningKeyRing(keys);
  }

  static fromText(current: string, previous?: string): SigningKeyRing {
    return new SigningKeyRing(
      parseSigningKey(current),
      previous === undefined ? [] : [parseSigningKey(previous)],
    );
  }

  find(publicKeyText: string): SigningKey | undefined {
    return this.keys.find((key) => key.publicKeyText === publicKeyText);
  }

  get publicKeys(): string[] {
    return this.keys.map((key) => key.publicKeyText);
  }
}

/**
 * The public key of the SIGNING_KEY in use. A database with none recorded yet (written before
 * rotation existed) is taken to be using the key of its latest head when the ring holds it, else the
 * ring's current key.
 */
export async function signingKeyInUse(sql: SqlExecutor, ring: SigningKeyRing, lock = ''): Promise<string> {
  const [latest] = await sql.query<{ public_key: string }>(
    'SELECT public_key FROM signed_heads ORDER BY position DESC LIMIT 1',
  );
  const initial = latest && ring.find(latest.public_key) ? latest.public_key : ring.current.publicKeyText;
  await sql.query('INSERT INTO signing_key_check (public_key) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
    initial,
  ]);
  const [row] = await sql.query<{ public_key: string }>(`SELECT public_key FROM signing_key_check ${lock}`);
  return row!.public_key;
}

/** At start: refuses a ring that does not hold the SIGNING_KEY in use. */
export async function openSigningKeys(client: SqlClient, ring: SigningKeyRing): Promise<void> {
  const inUse = await signingKeyInUse(client, ring);
  if (!ring.find(inUse)) {
    throw new KeyConfigError(
      'The SIGNING_KEY in use in this database is not configured: to rotate it, set SIGNING_KEY_PREVIOUS to the key in use and SIGNING_KEY to the new one' +
        ` (in use: ${inUse})`,
    );
  }
}

/**
 * A rotation of the signing key, as recorded: the previous key signed the heads up to lastPosition
 * and no further; both keys sign the record, so that an auditor who trusts either one can follow it.
 *
 *   message = "passerelle/signing-key-succession/v1\n" + canonical JSON {"lastPosition", "next", "previous"}
 */
export interface SigningKeySuccession {
  previous: string;
  next: string;
  lastPosition: number;
  signatureByPrevious: string;
  signatureByNext: string;
}

export const successionMessage = (s: Pick<SigningKeySuccession, 'previous' | 'next' | 'lastPosition'>) =>
  Buffer.from(
    'passerelle/signing-key-succession/v1\n' +
      canonicalJson({ lastPosition: s.lastPosition, next: s.next, previous: s.previous }),
    'utf8',
  );

const verifiedBy = (publicKey: string, message: Buffer, signature: string): boolean => {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return verify(null, message, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};

export async function listSigningKeySuccessions(client: SqlExecutor): Promise<SigningKeySuccession[]> {
  const rows = await client.query<{
    previous_public_key: string;
    next_public_key: string;
    last_position: number;
    signature_by_previous: string;
    signature_by_next: string;
  }>('SELECT * FROM signing_key_successions ORDER BY recorded_at, previous_public_key');
  return rows.map((row) => ({
    previous: row.previous_public_key,
    next: row.next_public_key,
    lastPosition: row.last_position,
    signatureByPrevious: row.signature_by_previous,
    signatureByNext: row.signature_by_next,
  }));
}

/** What verifyIntegrity trusts: keys, and the last position each may have signed (none: any). */
export interface TrustedSigners {
  trustedPublicKeys: string[];
  signerLimits: Map<string, number>;
}

/**
 * The signers to trust, from the configured public keys: those, and, going back through the recorded
 * successions, each key a trusted key succeeded — for the heads up to the position where it stopped
 * signing. A succession counts only when both its signatures hold, so nobody who can write the
 * database but holds no trusted key can add a signer; and a leaked old key cannot sign new heads.
 */
export function trustFrom(
  configured: readonly string[],
  successions: readonly SigningKeySuccession[],
): TrustedSigners {
  const limits = new Map<string, number>(configured.map((key) => [key, Number.POSITIVE_INFINITY]));
  const valid = successions.filter(
    (s) =>
      verifiedBy(s.next, successionMessage(s), s.signatureByNext) &&
      verifiedBy(s.previous, successionMessage(s), s.signatureByPrevious),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const s of valid) {
      const nextLimit = limits.get(s.next);
      if (nextLimit === undefined) continue;
      const limit = Math.min(s.lastPosition, nextLimit);
      const known = limits.get(s.previous);
      if (known === undefined || limit < known) {
        limits.set(s.previous, limit);
        changed = true;
      }
    }
  }
  const signerLimits = new Map<string, number>();
  for (const [key, limit] of limits) if (Number.isFinite(limit)) signerLimits.set(key, limit);
  return { trustedPublicKeys: [...limits.keys()], signerLimits };
}

/** Both signatures of a recorded succession hold. */
export function successionHolds(s: SigningKeySuccession): boolean {
  const message = successionMessage(s);
  return (
    verifiedBy(s.next, message, s.signatureByNext) && verifiedBy(s.previous, message, s.signatureByPrevious)
  );
}

/** Why an auditor's check trusts a key: named by them, or linked to such a key by a succession. */
export type KeyTrustBasis = 'pinned' | 'predecessor' | 'successor';

export interface AuditorTrust {
  /** Each trusted key, and why. */
  basis: Map<string, KeyTrustBasis>;
  /** Keys a succession retired: each signs heads up to that position only. */
  signerLimits: Map<string, number>;
  /** Successions not followed: a signature that does not hold, or a key handed to two successors. */
  rejected: { succession: SigningKeySuccession; reason: 'bad_signature' | 'fork' }[];
}

/**
 * What an auditor who pinned some keys (any of the chain: the first, the latest) may trust, offline:
 * those keys; back through valid successions, each key a trusted key succeeded (as trustFrom does for
 * the service); and forward, each key a trusted key handed over to, which is how an auditor who pinned
 * the first key follows the rotations (decision 0006). Forward trust is only as good as the earlier key
 * was kept: whoever held a copy of it could sign a succession of their own, so a key handed to two
 * successors (and never made the signer again) is a fork, and neither succession is followed. Every key a
 * valid succession retired signs only up to the succession's last position, unless a later succession
 * made it the signer again.
 */
export function auditorTrust(
  pinned: readonly string[],
  successions: readonly SigningKeySuccession[],
): AuditorTrust {
  const rejected: AuditorTrust['rejected'] = [];
  const holding = successions.filter((s) => {
    if (successionHolds(s)) return true;
    rejected.push({ succession: s, reason: 'bad_signature' });
    return false;
  });
  const reinstated = new Set(holding.map((s) => s.next));
  const forks = new Set(
    holding
      .filter(
        (s) =>
          !reinstated.has(s.previous) &&
          holding.some((other) => other.previous === s.previous && other.next !== s.next),
      )
      .map((s) => s.previous),
  );
  const valid = holding.filter((s) => {
    if (!forks.has(s.previous)) return true;
    rejected.push({ succession: s, reason: 'fork' });
    return false;
  });

  const basis = new Map<string, KeyTrustBasis>(pinned.map((key) => [key, 'pinned']));
  for (let changed = true; changed;) {
    changed = false;
    for (const s of valid) {
      if (basis.has(s.next) && !basis.has(s.previous)) {
        basis.set(s.previous, 'predecessor');
        changed = true;
      }
      if (basis.has(s.previous) && !basis.has(s.next)) {
        basis.set(s.next, 'successor');
        changed = true;
      }
    }
  }

  const signerLimits = new Map<string, number>();
  for (const key of basis.keys()) {
    const retiredAt = Math.max(...valid.filter((s) => s.previous === key).map((s) => s.lastPosition));
    const signerAgainAfter = Math.max(...valid.filter((s) => s.next === key).map((s) => s.lastPosition));
    if (Number.isFinite(retiredAt) && !(signerAgainAfter > retiredAt)) signerLimits.set(key, retiredAt);
  }
  return { basis, signerLimits, rejected };
}

export async function trustedSigners(
  client: SqlClient,
  configured: readonly string[],
): Promise<TrustedSigners> {
  return trustFrom(configured, await listSigningKeySuccessions(client));
}

export interface SigningKeyRotationResult {
  from: string;
  to: string;
  /** The last position the previous key signed (0: none). */
  lastPosition: number;
  alreadyDone: boolean;
}

/**
 * Moves the database from the SIGNING_KEY in use (must be in the ring, normally as the previous key)
 * to the ring's current key, in one transaction: the succession is recorded, signed by both keys,
 * and signing_key_check names the new key. Heads being signed hold a share lock on that row, so the
 * last position of the previous key is known once the lock is had. Running it again does nothing.
 */
export async function rotateSigningKey(
  client: SqlClient,
  ring: SigningKeyRing,
): Promise<SigningKeyRotationResult> {
  const to = ring.current;
  return client.transaction(async (tx) => {
    const inUse = await signingKeyInUse(tx, ring, 'FOR UPDATE');
    if (inUse === to.publicKeyText) {
      return { from: inUse, to: inUse, lastPosition: 0, alreadyDone: true };
    }
    const from = ring.find(inUse);
    if (!from) {
      throw new KeyConfigError(
        `The SIGNING_KEY in use is not configured: set SIGNING_KEY_PREVIOUS to it and SIGNING_KEY to the new key (in use: ${inUse})`,
      );
    }
    const [last] = await tx.query<{ position: number }>(
      'SELECT coalesce(max(position), 0) AS position FROM signed_heads WHERE public_key = $1',
      [from.publicKeyText],
    );
    const succession = {
      previous: from.publicKeyText,
      next: to.publicKeyText,
      lastPosition: last!.position,
    };
    const message = successionMessage(succession);
    await tx.query(
      `INSERT INTO signing_key_successions
         (previous_public_key, next_public_key, last_position, signature_by_previous, signature_by_next)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        succession.previous,
        succession.next,
        succession.lastPosition,
        sign(null, message, from.privateKey).toString('base64'),
        sign(null, message, to.privateKey).toString('base64'),
      ],
    );
    await tx.query('UPDATE signing_key_check SET public_key = $1, since = now()', [to.publicKeyText]);
    await tx.query(
      `INSERT INTO key_rotations (kind, from_key, to_key, completed_at) VALUES ('signing', $1, $2, now())
       ON CONFLICT (kind, from_key, to_key) DO UPDATE SET completed_at = now()`,
      [from.publicKeyText, to.publicKeyText],
    );
    return {
      from: succession.previous,
      to: succession.next,
      lastPosition: succession.lastPosition,
      alreadyDone: false,
    };
  });
}
