import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeExportReport,
  headMessage,
  keyFingerprint,
  publicKeyText,
  verifyExport,
} from '@passerelle/privacy';
import { TestApp } from './support/test-app';
import { dealWithPeople, PeopleDeal } from './trust-support';
import { verifyExportFile } from './audit-export-support';
import { waitUntil } from './support/wait-until';

type Line = Record<string, unknown> & { kind: string };

const parse = (text: string): Line[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
const render = (lines: readonly (Line | string)[]): string =>
  `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`;

describe.each([
  ['PGlite', false],
  ['PostgreSQL', true],
] as const)('the audit export, verified offline, on %s', (_name, postgres) => {
  let ctx: TestApp;
  let deal: PeopleDeal;
  let dir: string;
  let text: string;
  let lines: Line[];
  let files = 0;
  const stream = () => `partnership-${deal.id}`;
  /** The line index of the deal's event at this revision. */
  const at = (revision: number, streamId = stream()) =>
    lines.findIndex(
      (line) => line.kind === 'event' && line.streamId === streamId && line.revision === revision,
    );
  /** Through the command, as an auditor runs it. */
  const verify = async (content: string, ...args: string[]) => {
    const file = join(dir, `export-${(files += 1)}.jsonl`);
    writeFileSync(file, content);
    return verifyExportFile(file, args);
  };
  /** The same checks and words in this process, for the variations (each run of the command costs seconds). */
  const verifyHere = async (content: string, trustedKeys?: string[]) => {
    const report = await verifyExport(content.trimEnd().split('\n'), trustedKeys ? { trustedKeys } : {});
    return { code: report.ok ? 0 : 1, stdout: describeExportReport(report).join('\n') };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-export-'));
    ctx = await TestApp.start({ postgres });
    deal = await dealWithPeople(ctx, 'export');
    // A head signed along the way: the whole-log export checks it at its position.
    await ctx.as('auditor').post('/api/audit/heads').expect(200);
    const other = await ctx.newPartnership();
    const suspended = await ctx
      .as('officer')
      .post(`/api/partnerships/${other.id}/suspension`, { reason: 'Budget review' })
      .expect(200);
    // On a shared PostgreSQL, a writing transaction elsewhere holds back what readers see (never skips it).
    await waitUntil(async () => (await ctx.store.headPosition()) >= (suspended.body.position as number));
    text = (await ctx.as('auditor').get('/api/audit/export').expect(200)).text;
    lines = parse(text);
  }, 180_000);
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('carries the events as stored, their hashes, the signed heads and the keys, and verifies clean', async () => {
    const events = lines.filter((line) => line.kind === 'event');
    expect(lines[0]).toEqual(expect.objectContaining({ kind: 'export', scope: { kind: 'log' } }));
    expect(lines.at(-1)).toEqual({ kind: 'end', events: events.length, heads: expect.any(Number) });
    expect(lines.filter((line) => line.kind === 'head').length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-2)).toEqual(
      expect.objectContaining({ kind: 'covering-head', position: lines[0]!.position }),
    );
    // Personal fields travel as the ciphertext the hashes cover, never in clear.
    expect(text).not.toContain(deal.bruno.email);
    expect(text).not.toContain(deal.signers.fr);
    expect(text).toContain('pii:v1:');
    expect(events.length).toBe(await eventsUpTo(ctx, lines[0]!.position as number));

    const result = await verify(text);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`OK: ${events.length} events`);
    const { publicKey } = (await ctx.as('auditor').get('/api/audit/heads').expect(200)).body;
    expect(result.stdout).toContain(keyFingerprint(publicKey));
    const pinned = await verify(text, '--trust-key', publicKey);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain('pinned');
  });

  it('names the event one changed byte is in', async () => {
    const index = at(3);
    expect(lines[index]).toEqual(expect.objectContaining({ type: 'AgreementDrafted' }));
    const raw = text.trimEnd().split('\n');
    const changed = raw[index]!.replace('Cluster agreement', 'Cluster agreemenT');
    expect(changed).not.toBe(raw[index]);
    raw[index] = changed;
    const result = await verify(render(raw));
    expect(result.stdout).toContain(
      `line ${index + 1}: hash_mismatch: event ${lines[index]!.id as string} (${stream()} revision 3`,
    );
    expect(result.code).toBe(1);
  });

  it('names the event after one that was removed', async () => {
    const removed = at(1);
    const next = lines[at(2)]!;
    const result = await verify(render(lines.filter((_, i) => i !== removed)));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`line \\d+: revision_gap: event ${next.id as string} \\(${stream()} revision 2`),
    );
  });

  it('names the stream whose last event was removed', async () => {
    const last = Math.max(
      ...lines.filter((l) => l.kind === 'event' && l.streamId === stream()).map((l) => l.revision as number),
    );
    const result = await verifyHere(render(lines.filter((_, i) => i !== at(last))));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `coverage_mismatch: ${stream()}: the export ends it at revision ${last - 1}`,
    );
  });

  it('names the first event of a reordered pair, moved as is or renumbered', async () => {
    const [a, b] = [at(1), at(2)];
    const swapped = [...lines];
    [swapped[a], swapped[b]] = [lines[b]!, lines[a]!];
    const asIs = await verify(render(swapped));
    expect(asIs.code).toBe(1);
    expect(asIs.stdout).toContain(`line ${a + 1}: revision_gap: event ${lines[b]!.id as string}`);
    // Positions and revisions rewritten to look in order: the chain still tells.
    const renumbered = [...swapped];
    renumbered[a] = { ...lines[b]!, position: lines[a]!.position, revision: 1 };
    renumbered[b] = { ...lines[a]!, position: lines[b]!.position, revision: 2 };
    const rewritten = await verifyHere(render(renumbered));
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain(`line ${a + 1}: hash_mismatch: event ${lines[b]!.id as string}`);
  });

  it('names a head signed by another key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const headIndex = lines.findIndex((line) => line.kind === 'covering-head');
    const head = lines[headIndex]!;
    const forged = {
      ...head,
      signature: sign(null, headMessage(head.position as number, head.digest as string), privateKey).toString(
        'base64',
      ),
    };
    const replace = (line: Line) => lines.map((l, i) => (i === headIndex ? line : l));

    const sameName = await verify(render(replace(forged)));
    expect(sameName.code).toBe(1);
    expect(sameName.stdout).toContain(
      `line ${headIndex + 1}: bad_signature: the signature of the head at position ${head.position as number}`,
    );

    const otherKey = publicKeyText(publicKey);
    const unlisted = await verifyHere(render(replace({ ...forged, publicKey: otherKey })));
    expect(unlisted.code).toBe(1);
    expect(unlisted.stdout).toContain(`line ${headIndex + 1}: untrusted_key: the head signed at position`);
    expect(unlisted.stdout).toContain('a key the export does not list');

    // Listing the other key too fools no one who pins the key they hold.
    const listed = replace({ ...forged, publicKey: otherKey });
    listed.splice(1, 0, {
      kind: 'key',
      algorithm: 'Ed25519',
      publicKey: otherKey,
      fingerprint: keyFingerprint(otherKey),
    });
    const { publicKey: real } = (await ctx.as('auditor').get('/api/audit/heads').expect(200)).body;
    const unpinned = await verifyHere(render(listed));
    expect(unpinned.code).toBe(0); // whoever holds no key of theirs is told to compare fingerprints
    expect(unpinned.stdout).toContain(keyFingerprint(otherKey));
    expect(unpinned.stdout).toContain('No key pinned');
    const pinned = await verify(render(listed), '--trust-key', real);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toContain('untrusted_key');
    expect(pinned.stdout).toContain(
      'a key you did not pin, nor one a recorded rotation links to a pinned key',
    );
  });

  it('tells an export cut short', async () => {
    const result = await verifyHere(render(lines.slice(0, Math.floor(lines.length / 2))));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('incomplete');
  });

  it("exports one partnership's streams, covered by a head over the whole log", async () => {
    const response = await ctx.as('auditor').get(`/api/audit/export?partnershipId=${deal.id}`).expect(200);
    expect(response.headers['content-type']).toContain('application/jsonl');
    const own = parse(response.text);
    const events = own.filter((line) => line.kind === 'event' && line.streamId === stream());
    const streams = new Set(own.filter((line) => line.kind === 'event').map((line) => line.streamId));
    expect([...streams].sort()).toEqual(
      [`notifications-${deal.id}`, stream()].filter((id) => streams.has(id)),
    );
    expect(streams.has(stream())).toBe(true);
    expect(events.map((line) => line.revision)).toEqual(events.map((_, i) => i));
    expect(own.filter((line) => line.kind === 'head')).toEqual([]);
    expect(own.filter((line) => line.kind === 'head-stream').length).toBeGreaterThan(3);
    const clean = await verify(response.text);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`Export of partnership ${deal.id}`);

    const cut = own.filter((line) => !(line.kind === 'event' && line === events.at(-1)));
    const result = await verifyHere(render(cut));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`coverage_mismatch: ${stream()}: the export ends it at revision`);
    // An event of another stream slipped in is named too.
    const stranger = lines.find((line) => line.kind === 'event' && line.streamId !== stream())!;
    const mixed = [...own];
    mixed.splice(own.indexOf(events[0]!), 0, stranger);
    const out = await verifyHere(render(mixed));
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`out_of_scope: event ${stranger.id as string}`);
  });

  it('answers auditors and admins only, 404 for an unknown partnership, 400 for a malformed id', async () => {
    expect((await ctx.as('officer').get('/api/audit/export')).status).toBe(403);
    expect((await ctx.as('viewer').get('/api/audit/export')).status).toBe(403);
    expect((await ctx.as('admin').get('/api/audit/export')).status).toBe(200);
    const unknown = await ctx
      .as('auditor')
      .get('/api/audit/export?partnershipId=7d0b0d7e-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.body.type]).toEqual([
      404,
      'urn:passerelle:problem:partnership.not_found',
    ]);
    const malformed = await ctx.as('auditor').get('/api/audit/export?partnershipId=nope');
    expect([malformed.status, malformed.body.type]).toEqual([400, 'urn:passerelle:problem:validation']);
  });
});

async function eventsUpTo(ctx: TestApp, position: number): Promise<number> {
  let count = 0;
  for (let after = 0; ;) {
    const batch = await ctx.store.readAll({ after, maxCount: 1000 });
    count += batch.filter((event) => event.position <= position).length;
    if (batch.length === 0 || batch.at(-1)!.position >= position) return count;
    after = batch[batch.length - 1]!.position;
  }
}
