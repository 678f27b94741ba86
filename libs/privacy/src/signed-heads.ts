import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import type { EventStore } from '@passerelle/event-store';
// The hash chain's module alone: the offline export verifier loads this file without the store adapters.
import { canonicalJson } from '@passerelle/event-store/hash-chain';
import { KeyConfigError } from './master-key';
import type { SigningKeyRing } from './rotation/signing-key-ring';
import type { SigningKey } from './signing-key';

export { generateSigningKey, parseSigningKey, publicKeyText, type SigningKey } from './signing-key';

/**
 * Signed heads. Per-stream hash chains show an altered event, but not a stream cut short: drop the
 * last events of a stream and what is left still chains. So, every few minutes, the head of the log
 * is signed: its position, and a digest of the last hash of every stream up to that position. A
 * verifier recomputes the digest at each signed position; anything removed, added or rewritten up to
 * there changes it.
 *
 *   digest    = sha256 hex of canonical JSON [[streamId, lastHash], …], sorted by stream id
 *   message   = "passerelle/signed-head/v1\n" + canonical JSON {"digest": …, "position": …}
 *   signature = Ed25519(message), base64; public_key = the signer's SPKI DER, base64
 */
export interface SignedHead {
  position: number;
  digest: string;
  /** Streams the digest covers. */
  streams: number;
  signature: string;
  publicKey: string;
  signedAt: Date;
}

const MESSAGE_CONTEXT = 'passerelle/signed-head/v1\n';

/** [streamId, lastHash] pairs sorted by stream id (by UTF-16 code units), as the digest lists them. */
export const sortedLastHashes = (lastHashes: ReadonlyMap<string, string>): [string, string][] =>
  [...lastHashes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The digest of the log's state: the last hash of every stream. */
export function headDigest(lastHashes: ReadonlyMap<string, string>): string {
  const entries = sortedLastHashes(lastHashes);
  return createHash('sha256').update(canonicalJson(entries), 'utf8').digest('hex');
}

/**
 * headDigest over streams already in the digest's order, without holding the event loop: the same bytes
 * (the canonical JSON of the pairs: each id and hash a JSON string) hashed a slice of streams at a time,
 * with a turn of the event loop between slices. At 62,000 streams the digest in one go held the loop for
 * 0.3-3 s (sorting and serialising), every few minutes; a slice holds it well under a millisecond.
 */
export async function headDigestInSlices(
  sortedIds: readonly string[],
  lastHashes: ReadonlyMap<string, string>,
  sliceSize = 1000,
): Promise<string> {
  const hash = createHash('sha256').update('[', 'utf8');
  for (let start = 0; start < sortedIds.length; start += sliceSize) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(sortedIds.length, start + sliceSize);
    let text = '';
    for (let index = start; index < end; index++) {
      const id = sortedIds[index]!;
      text += `${index > 0 ? ',' : ''}[${JSON.stringify(id)},${JSON.stringify(lastHashes.get(id))}]`;
    }
    hash.update(text, 'utf8');
  }
  return hash.update(']', 'utf8').digest('hex');
}

/** Two lists of distinct ids, each sorted by UTF-16 code units, merged into one in that order. */
function mergeSorted(sorted: readonly string[], added: readonly string[]): string[] {
  if (added.length === 0) return sorted as string[];
  const merged = new Array<string>(sorted.length + added.length);
  let [i, j, k] = [0, 0, 0];
  while (i < sorted.length && j < added.length)
    merged[k++] = sorted[i]! < added[j]! ? sorted[i++]! : added[j++]!;
  while (i < sorted.length) merged[k++] = sorted[i++]!;
  while (j < added.length) merged[k++] = added[j++]!;
  return merged;
}

export const headMessage = (position: number, digest: string): Buffer =>
  Buffer.from(MESSAGE_CONTEXT + canonicalJson({ digest, position }), 'utf8');

/** Why a signed head does not hold, or null when it does (signature by a trusted key, digest as recomputed). */
export function checkHeadSignature(
  head: Pick<SignedHead, 'position' | 'digest' | 'signature' | 'publicKey'>,
  trustedPublicKeys: readonly string[],
): 'untrusted_key' | 'bad_signature' | null {
  if (!trustedPublicKeys.includes(head.publicKey)) return 'untrusted_key';
  try {
    const key = createPublicKey({ key: Buffer.from(head.publicKey, 'base64'), format: 'der', type: 'spki' });
    const valid = verify(
      null,
      headMessage(head.position, head.digest),
      key,
      Buffer.from(head.signature, 'base64'),
    );
    return valid ? null : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}

interface HeadRow {
  position: number;
  digest: string;
  streams: number;
  signature: string;
  public_key: string;
  signed_at: Date;
}

const toSignedHead = (row: HeadRow): SignedHead => ({
  position: row.position,
  digest: row.digest,
  streams: row.streams,
  signature: row.signature,
  publicKey: row.public_key,
  signedAt: new Date(row.signed_at),
});

/** The signed heads, oldest first (table from privacyMigrations). */
export async function listSignedHeads(client: SqlClient, limit?: number): Promise<SignedHead[]> {
  const rows = await client.query<HeadRow>(
    limit === undefined
      ? 'SELECT * FROM signed_heads ORDER BY position'
      : 'SELECT * FROM (SELECT * FROM signed_heads ORDER BY position DESC LIMIT $1) AS h ORDER BY position',
    limit === undefined ? [] : [limit],
  );
  return rows.map(toSignedHead);
}

/**
 * Signs the head of the log. Follows the log from where it last was (the first time, from the start),
 * keeping the last hash of every stream, so each signature reads only the events since the one before.
 * Reads the stored events (the hashes are over what is stored): give it the store under any decorator.
 */
export class HeadSigner {
  private readonly lastHashes = new Map<string, string>();
  /** The streams of lastHashes in the digest's order, but for those first seen since the last digest. */
  private sortedIds: string[] = [];
  private newIds: string[] = [];
  private position = 0;
  private running: Promise<unknown> = Promise.resolve();
  private resumed = false;

  /**
   * `key`: the signing key, or the keys of a ring (key rotation), of which the one signing_key_check
   * names signs (read under a share lock, so a rotation waits for the head being signed).
   * `lastHashesAt`: where the log is in SQL (sqlLastHashesAt), the signer's first signature starts from
   * the last signed head instead of the start of the log (see resume).
   */
  constructor(
    private readonly store: EventStore,
    private readonly client: SqlClient,
    private readonly key: SigningKey | SigningKeyRing,
    private readonly batchSize = 1000,
    private readonly lastHashesAt?: LastHashesAt,
  ) {}

  /** Signs the head as it is now; answers the existing head when nothing was appended since. Null for an empty log. */
  signHead(): Promise<SignedHead | null> {
    return this.serialised(() => this.signNow());
  }

  /**
   * Signs the head as signHead does, and answers with it the last hash of every stream up to its
   * position, sorted by stream id: what its digest is computed from (an export hands them out).
   */
  signHeadWithStreams(): Promise<{ head: SignedHead; lastHashes: [string, string][] } | null> {
    return this.serialised(async () => {
      const head = await this.signNow();
      if (!head) return null;
      return {
        head,
        lastHashes: this.sortedIds.map((id): [string, string] => [id, this.lastHashes.get(id)!]),
      };
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work);
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * Before the first signature of this process. Nothing appended since the last signed head: that head
   * is the answer, and nothing more is read (a start on a large log reads one row). Otherwise the last
   * hash of every stream up to that head, from the log's own tables (one index lookup per stream, not
   * a read of every event), kept only if it gives that head's digest again; if it does not, the signer
   * reads the log from the start, as without `lastHashesAt`. No head yet: on PGlite the last hashes at
   * the head the same way; on PostgreSQL the log from the start.
   */
  private async resume(): Promise<SignedHead | null> {
    if (!this.lastHashesAt) {
      this.resumed = true;
      return null;
    }
    const [last] = await listSignedHeads(this.client, 1);
    if (!last) {
      this.resumed = true;
      // No head signed yet (a new log, or one copied in) on PGlite, whose one connection commits nothing
      // while another statement runs: every event up to the head is settled, so the last hash of each
      // stream there is what reading the whole log would give.
      if (this.client.dialect === 'pglite') {
        const head = await this.store.headPosition();
        if (head > 0) {
          for (const [streamId, hash] of await this.lastHashesAt(head)) this.keep(streamId, hash);
          this.position = head;
        }
      }
      return null;
    }
    if ((await this.store.readAll({ after: last.position, maxCount: 1 })).length === 0) return last;
    this.resumed = true;
    const lastHashes = await this.lastHashesAt(last.position);
    const sortedIds = [...lastHashes.keys()].sort();
    if ((await headDigestInSlices(sortedIds, lastHashes)) !== last.digest) return null;
    for (const [streamId, hash] of lastHashes) this.lastHashes.set(streamId, hash);
    this.sortedIds = sortedIds;
    this.position = last.position;
    return null;
  }

  private keep(streamId: string, hash: string): void {
    if (!this.lastHashes.has(streamId)) this.newIds.push(streamId);
    this.lastHashes.set(streamId, hash);
  }

  /** The digest of lastHashes: the streams first seen since the last one sorted and merged in, then hashed in slices. */
  private digest(): Promise<string> {
    // sort() without a comparator orders strings by UTF-16 code units, as sortedLastHashes does.
    this.sortedIds = mergeSorted(this.sortedIds, this.newIds.sort());
    this.newIds = [];
    return headDigestInSlices(this.sortedIds, this.lastHashes);
  }

  private async signNow(): Promise<SignedHead | null> {
    if (!this.resumed) {
      const unchanged = await this.resume();
      if (unchanged) return unchanged;
    }
    for (;;) {
      const batch = await this.store.readAll({ after: this.position, maxCount: this.batchSize });
      if (batch.length === 0) break;
      for (const event of batch) this.keep(event.streamId, event.hash);
      this.position = batch[batch.length - 1]!.position;
    }
    if (this.position === 0) return null;
    const digest = await this.digest();
    const [position, streams] = [this.position, this.lastHashes.size];
    await this.client.transaction(async (tx) => {
      const key = 'keys' in this.key ? await keyInUse(tx, this.key) : this.key;
      const signature = sign(null, headMessage(position, digest), key.privateKey).toString('base64');
      await tx.query(
        `INSERT INTO signed_heads (position, digest, streams, signature, public_key)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING`,
        [position, digest, streams, signature, key.publicKeyText],
      );
    });
    const [row] = await this.client.query<HeadRow>('SELECT * FROM signed_heads WHERE position = $1', [
      this.position,
    ]);
    return toSignedHead(row!);
  }
}

/** The last hash of every stream as of a position of the log (events up to and including it). */
export type LastHashesAt = (position: number) => Promise<Map<string, string>>;

/**
 * LastHashesAt over the SQL event store's tables in the client's schema: for each stream, its last
 * event at or before `position`, found from the end of the stream by its (stream, revision) index. The
 * streams are walked on that same index, one probe each (the store keeps no table of streams).
 * Every event up to a signed head's position is settled (the signer read them all), so this is the
 * state the signer had when it signed there.
 */
export function sqlLastHashesAt(client: SqlClient, streamsPerStatement = 2000): LastHashesAt {
  return async (position) => {
    const lastHashes = new Map<string, string>();
    // A page of streams per statement: on PGlite a statement holds the event loop while it runs.
    for (let after = ''; ;) {
      const rows = await client.query<{ stream_id: string; hash: string | null }>(
        `WITH RECURSIVE s AS (
           (SELECT stream_id FROM events WHERE stream_id > $2 ORDER BY stream_id LIMIT 1)
           UNION ALL
           SELECT (SELECT e.stream_id FROM events AS e WHERE e.stream_id > s.stream_id
                    ORDER BY e.stream_id LIMIT 1)
             FROM s WHERE s.stream_id IS NOT NULL),
         page AS (SELECT stream_id FROM s WHERE stream_id IS NOT NULL LIMIT $3)
         SELECT page.stream_id, last.hash
           FROM page
           LEFT JOIN LATERAL (SELECT e.hash FROM events AS e
                               WHERE e.stream_id = page.stream_id AND e.global_position <= $1
                               ORDER BY e.stream_revision DESC LIMIT 1) AS last ON true
          ORDER BY page.stream_id`,
        [position, after, streamsPerStatement],
      );
      for (const row of rows) if (row.hash !== null) lastHashes.set(row.stream_id, row.hash);
      if (rows.length < streamsPerStatement) return lastHashes;
      after = rows[rows.length - 1]!.stream_id;
    }
  };
}

/** The ring's key that signing_key_check names (the ring's current key while none is named). */
async function keyInUse(tx: SqlExecutor, ring: SigningKeyRing): Promise<SigningKey> {
  const [row] = await tx.query<{ public_key: string }>('SELECT public_key FROM signing_key_check FOR SHARE');
  if (!row) return ring.current;
  const key = ring.find(row.public_key);
  if (!key) {
    throw new KeyConfigError(
      `The SIGNING_KEY in use is not configured in this process (in use: ${row.public_key}); set SIGNING_KEY and SIGNING_KEY_PREVIOUS as the rotation procedure says`,
    );
  }
  return key;
}
