import { generateKeyPairSync, sign, type KeyPairKeyObjectResult } from 'node:crypto';
import { chainHash, GENESIS_HASH } from '@passerelle/event-store/hash-chain';
import { headDigest, headMessage, publicKeyText, sortedLastHashes } from '../signed-heads';
import { successionMessage } from '../rotation/signing-key-ring';
import { AUDIT_EXPORT_FORMAT, keyFingerprint, type ExportRecord, type ExportScope } from './export-format';
import { verifyExport } from './export-verifier';

const PARTNERSHIP = '6f1c2d9e-0b7a-4c55-9a51-3d2f4e8b7a10';
const keys = generateKeyPairSync('ed25519');
const publicKey = publicKeyText(keys.publicKey);

/** A log of `streams`' events, in the order given, as the export writes it (heads at the given positions). */
function exportOf(
  order: string[],
  options: {
    scope?: ExportScope;
    headsAt?: number[];
    /** The key that signs the head at a position (default: `keys`). */
    signerAt?: (position: number) => KeyPairKeyObjectResult;
    successions?: ExportRecord[];
  } = {},
): ExportRecord[] {
  const scope = options.scope ?? { kind: 'log' };
  const signerAt = options.signerAt ?? (() => keys);
  const signers = new Set<string>();
  const last = new Map<string, string>();
  const revisions = new Map<string, number>();
  const head = (kind: 'head' | 'covering-head', position: number): ExportRecord => {
    const digest = headDigest(last);
    const signer = signerAt(position);
    const signature = sign(null, headMessage(position, digest), signer.privateKey).toString('base64');
    signers.add(publicKeyText(signer.publicKey));
    return {
      kind,
      position,
      digest,
      streams: last.size,
      signature,
      publicKey: publicKeyText(signer.publicKey),
      signedAt: '2026-01-01T00:00:00.000Z',
    };
  };
  const body: ExportRecord[] = [];
  order.forEach((streamId, index) => {
    const position = index + 1;
    const revision = (revisions.get(streamId) ?? -1) + 1;
    const event = {
      id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      type: 'Happened',
      version: 1,
      data: { n: position },
      metadata: {},
    };
    const hash = chainHash(last.get(streamId) ?? GENESIS_HASH, event);
    last.set(streamId, hash);
    revisions.set(streamId, revision);
    const inScope = scope.kind === 'log' || scope.streams.includes(streamId);
    if (inScope) {
      body.push({
        kind: 'event',
        streamId,
        revision,
        position,
        recordedAt: '2026-01-01T00:00:00.000Z',
        ...event,
        hash,
      });
    }
    if (scope.kind === 'log' && options.headsAt?.includes(position)) body.push(head('head', position));
  });
  const covering = head('covering-head', order.length);
  return [
    {
      kind: 'export',
      format: AUDIT_EXPORT_FORMAT,
      scope,
      position: order.length,
      exportedAt: '2026-01-01T00:00:00.000Z',
    },
    ...[...signers].map((key): ExportRecord => ({
      kind: 'key',
      algorithm: 'Ed25519',
      publicKey: key,
      fingerprint: keyFingerprint(key),
    })),
    ...(options.successions ?? []),
    ...body,
    ...sortedLastHashes(last).map(([streamId, hash]): ExportRecord => ({
      kind: 'head-stream',
      streamId,
      hash,
    })),
    covering,
    {
      kind: 'end',
      events: body.filter((r) => r.kind === 'event').length,
      heads: body.filter((r) => r.kind === 'head').length + 1,
    },
  ];
}

const lines = (records: readonly unknown[]) => records.map((record) => JSON.stringify(record));
const check = (records: readonly unknown[], trustedKeys?: string[]) =>
  verifyExport(lines(records), trustedKeys ? { trustedKeys } : {});
const ORDER = ['a', 'b', 'a', 'c', 'b', 'a'];

describe('the audit export verifier', () => {
  it('accepts a clean export, with its heads, pinned or not', async () => {
    const records = exportOf(ORDER, { headsAt: [2, 4] });
    const report = await check(records, [publicKey]);
    expect(report).toEqual(
      expect.objectContaining({ ok: true, events: 6, streams: 3, heads: 3, coveredTo: 6, failureCount: 0 }),
    );
    expect(report.keys).toEqual([
      { publicKey, fingerprint: keyFingerprint(publicKey), trusted: true, trust: 'pinned', heads: 3 },
    ]);
  });

  it('accepts an empty log', async () => {
    const empty = [
      { kind: 'export', format: AUDIT_EXPORT_FORMAT, scope: { kind: 'log' }, position: 0, exportedAt: 'now' },
      { kind: 'end', events: 0, heads: 0 },
    ];
    expect(await check(empty)).toEqual(expect.objectContaining({ ok: true, events: 0, coveredTo: 0 }));
  });

  it('names a head whose digest no longer matches the events before it', async () => {
    const records = exportOf(ORDER, { headsAt: [4] });
    // The last event of stream c removed: every chain holds, the head at 4 does not.
    const index = records.findIndex((r) => r.kind === 'event' && r.streamId === 'c');
    const report = await check(records.filter((_, i) => i !== index));
    expect(report.firstFailure).toEqual(
      expect.objectContaining({ reason: 'digest_mismatch', position: 4, line: index + 1 }),
    );
    expect(report.failures.map((f) => [f.reason, f.streamId])).toContainEqual(['coverage_mismatch', 'c']);
  });

  it('checks a one-partnership export against the covering head, naming the streams that part', async () => {
    const mine = `partnership-${PARTNERSHIP}`;
    const mail = `notifications-${PARTNERSHIP}`;
    const order = [mine, 'organization-x', mine, mail, 'partnership-other', mine];
    const scope: ExportScope = { kind: 'partnership', partnershipId: PARTNERSHIP, streams: [mine, mail] };
    const records = exportOf(order, { scope });
    expect(await check(records)).toEqual(expect.objectContaining({ ok: true, events: 4, heads: 1 }));
    // The e-mail stream dropped from the scope and the file: the signed list still names it.
    const narrowed = records
      .filter((r) => !(r.kind === 'event' && r.streamId === mail))
      .map((r) => (r.kind === 'export' ? { ...r, scope: { ...scope, streams: [mine] } } : r));
    const report = await check(narrowed);
    expect(report.failures.map((f) => [f.reason, f.streamId])).toContainEqual(['coverage_mismatch', mail]);
    // A scope that names a stream of another partnership is not one.
    const foreign = records.map((r) =>
      r.kind === 'export' ? { ...r, scope: { ...scope, streams: [mine, 'partnership-other'] } } : r,
    );
    expect((await check(foreign)).firstFailure).toEqual(
      expect.objectContaining({ reason: 'malformed', line: 1 }),
    );
  });

  it('names events beyond the export, heads out of place and records out of order', async () => {
    const records = exportOf(ORDER, { headsAt: [2] });
    const beyond = records.map((r) => (r.kind === 'event' && r.position === 6 ? { ...r, position: 7 } : r));
    expect((await check(beyond)).firstFailure?.reason).toBe('beyond_head');
    const headIndex = records.findIndex((r) => r.kind === 'head');
    const early = [...records];
    const [head] = early.splice(headIndex, 1);
    early.splice(headIndex - 1, 0, head!);
    // The head placed before the last event it covers: it does not match, and that event comes too late.
    expect((await check(early)).failures.map((f) => [f.line, f.reason])).toEqual([
      [headIndex, 'digest_mismatch'],
      [headIndex + 1, 'position_order'],
    ]);
    const lateKey = [...records];
    lateKey.splice(4, 0, records[1]!);
    expect((await check(lateKey)).firstFailure).toEqual(
      expect.objectContaining({ line: 5, reason: 'malformed' }),
    );
  });

  it('tells what is not an export, a record that is not one, a cut and a count that differs', async () => {
    const records = exportOf(ORDER);
    expect((await check([{ kind: 'something' }])).firstFailure?.reason).toBe('malformed');
    expect((await check([])).firstFailure?.reason).toBe('malformed');
    const garbled = lines(records);
    garbled[3] = `${garbled[3]!.slice(0, 20)}`;
    expect((await verifyExport(garbled)).firstFailure).toEqual(
      expect.objectContaining({ line: 4, reason: 'malformed' }),
    );
    const cut = await check(records.slice(0, 5));
    expect(cut.failures.map((f) => f.reason)).toEqual(['not_covered', 'incomplete']);
    const miscounted = records.map((r) => (r.kind === 'end' ? { ...r, events: 5 } : r));
    expect((await check(miscounted)).firstFailure?.reason).toBe('incomplete');
    expect((await check([...records, records[2]])).firstFailure?.reason).toBe('malformed');
  });

  it('refuses a key record whose fingerprint is not its key’s, and a key given that is not Ed25519', async () => {
    const records = exportOf(ORDER);
    const wrong = records.map((r) => (r.kind === 'key' ? { ...r, fingerprint: '0'.repeat(64) } : r));
    expect((await check(wrong)).firstFailure).toEqual(
      expect.objectContaining({ line: 2, reason: 'malformed' }),
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    await expect(check(records, [rsa.toString()])).rejects.toThrow('not an Ed25519 public key');
  });

  describe('after rotations of the signing key', () => {
    const [second, third, thief] = [1, 2, 3].map(() => generateKeyPairSync('ed25519'));
    const text = (pair: KeyPairKeyObjectResult) => publicKeyText(pair.publicKey);
    const succession = (
      previous: KeyPairKeyObjectResult,
      next: KeyPairKeyObjectResult,
      lastPosition: number,
    ): ExportRecord => {
      const fields = { previous: text(previous), next: text(next), lastPosition };
      const message = successionMessage(fields);
      return {
        kind: 'succession',
        ...fields,
        signatureByPrevious: sign(null, message, previous.privateKey).toString('base64'),
        signatureByNext: sign(null, message, next.privateKey).toString('base64'),
      };
    };
    // Heads at 2 (first key), 4 (second key) and the covering head at 6 (third key).
    const rotated = (
      successions: ExportRecord[],
      signerAt = (p: number) => (p <= 2 ? keys : p <= 4 ? second! : third!),
    ) => exportOf(ORDER, { headsAt: [2, 4], signerAt, successions });
    const chain = [succession(keys, second!, 2), succession(second!, third!, 4)];

    it('follows them from whichever key the auditor pinned, the first or the latest', async () => {
      for (const pinned of [publicKey, text(third!), text(second!)]) {
        const report = await check(rotated(chain), [pinned]);
        expect(report).toEqual(expect.objectContaining({ ok: true, heads: 3, coveredTo: 6 }));
        expect(report.successions.map((s) => s.followed)).toEqual([true, true]);
      }
      const fromFirst = await check(rotated(chain), [publicKey]);
      expect(fromFirst.keys.map((k) => [k.trust, k.retiredAt, k.heads])).toEqual([
        ['pinned', 2, 1],
        ['successor', 4, 1],
        ['successor', undefined, 1],
      ]);
      const fromLatest = await check(rotated(chain), [text(third!)]);
      expect(fromLatest.keys.map((k) => k.trust)).toEqual(['predecessor', 'predecessor', 'pinned']);
      // Nothing pinned: the listed keys, each still held to where its rotation retired it.
      const unpinned = await check(rotated(chain));
      expect(unpinned.ok).toBe(true);
      expect(unpinned.keys.map((k) => [k.trust, k.retiredAt])).toEqual([
        ['listed', 2],
        ['listed', 4],
        ['listed', undefined],
      ]);
    });

    it('without the rotations, a key pinned before them does not reach the later heads', async () => {
      const report = await check(rotated([]), [publicKey]);
      expect(report.firstFailure).toEqual(expect.objectContaining({ reason: 'untrusted_key', position: 4 }));
      // A v1 export (no succession records) still reads as before.
      const v1 = rotated([]).map((r) =>
        r.kind === 'export' ? { ...r, format: 'passerelle-audit-export/v1' } : r,
      );
      expect((await check(v1, [publicKey, text(second!), text(third!)])).ok).toBe(true);
    });

    it('refuses a head a retired key signed after its rotation', async () => {
      // The first key, retired at 2, signs the head at 4: as a thief holding the old key would.
      const records = rotated(chain, (p) => (p <= 4 ? keys : third!));
      for (const pinned of [[publicKey], [text(third!)], undefined]) {
        const report = await check(records, pinned);
        expect(report.firstFailure).toEqual(
          expect.objectContaining({ reason: 'untrusted_key', position: 4 }),
        );
        expect(report.firstFailure?.message).toContain('retired at position 2');
      }
    });

    it('names a rotation not signed by both keys, or a key handed to two successors, and follows neither', async () => {
      const forged = {
        ...chain[1]!,
        signatureByPrevious: (succession(thief!, third!, 4) as { signatureByPrevious: string })
          .signatureByPrevious,
      };
      const report = await check(rotated([chain[0]!, forged]), [publicKey]);
      expect(report.failures.map((f) => [f.reason, f.line])).toEqual([
        ['bad_succession', 6],
        ['untrusted_key', expect.any(Number)],
      ]);
      expect(report.successions.map((s) => s.problem)).toEqual([undefined, 'bad_signature']);
      // The old key also signs a rotation to a thief's key: a fork, so the auditor who pinned it stops there.
      const fork = await check(rotated([...chain, succession(keys, thief!, 2)]), [publicKey]);
      expect(fork.failures.map((f) => f.reason)).toEqual(
        expect.arrayContaining(['bad_succession', 'bad_succession', 'untrusted_key']),
      );
      expect(fork.keys.find((k) => k.publicKey === text(second!))?.trusted).toBe(false);
    });
  });
});
