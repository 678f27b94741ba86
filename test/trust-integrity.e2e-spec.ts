import { TestApp } from './support/test-app';
import { dealWithPeople, PeopleDeal, sqlOf } from './trust-support';

interface Problem {
  kind: string;
  streamId: string | null;
  revision: number | null;
  position: number | null;
}

describe.each([
  ['PGlite', false],
  ['PostgreSQL', true],
] as const)('tamper evidence over HTTP, on %s', (_name, postgres) => {
  let ctx: TestApp;
  let deal: PeopleDeal;
  const integrity = async () => (await ctx.as('auditor').get('/api/audit/integrity').expect(200)).body;
  const verify = async () => (await ctx.as('auditor').get('/api/audit/verify').expect(200)).body;

  beforeAll(async () => {
    ctx = await TestApp.start({ postgres });
    deal = await dealWithPeople(ctx, 'tamper');
    // On a shared PostgreSQL, a writing transaction elsewhere holds back what readers see (never skips it).
    for (let waited = 0; (await ctx.store.headPosition()) < 11 && waited < 30_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);
  afterAll(() => ctx.close(), 30_000);

  it('reports a clean log, with the heads signed so far', async () => {
    const signed = await ctx.as('auditor').post('/api/audit/heads').expect(200);
    expect(signed.body.head).toEqual(expect.objectContaining({ signature: expect.any(String) }));
    expect(signed.body.head.position).toBeGreaterThanOrEqual(11); // the deal is 11 events
    expect(signed.body.head.publicKey).toBe(signed.body.publicKey);
    const report = await integrity();
    expect(report).toEqual(expect.objectContaining({ ok: true, mismatches: 0 }));
    expect(report.checkedEvents).toBeGreaterThanOrEqual(signed.body.head.position);
    expect(report.heads).toEqual(expect.objectContaining({ failed: 0, failures: [] }));
    expect(report.heads.checked).toBeGreaterThanOrEqual(1);
    expect((await verify()).ok).toBe(true);
    const heads = await ctx.as('auditor').get('/api/audit/heads').expect(200);
    expect(heads.body.heads.at(-1)).toEqual(expect.objectContaining({ position: signed.body.head.position }));
  });

  it('keeps signing and reading the heads to auditors and admins', async () => {
    expect((await ctx.as('officer').post('/api/audit/heads')).status).toBe(403);
    expect((await ctx.as('viewer').get('/api/audit/integrity')).status).toBe(403);
    expect((await ctx.as('admin').get('/api/audit/integrity')).status).toBe(200);
  });

  it('names the event whose data was edited in the database, by stream and revision', async () => {
    const streamId = `partnership-${deal.id}`;
    const [target] = await ctx.store.readStream(streamId, { fromRevision: 3, maxCount: 1 });
    expect(target!.type).toBe('AgreementDrafted');
    await sqlOf(ctx).query(
      `UPDATE events SET data = jsonb_set(data, '{termMonths}', '120') WHERE stream_id = $1 AND stream_revision = 3`,
      [streamId],
    );
    const report = await integrity();
    expect(report.ok).toBe(false);
    expect(report.firstMismatch).toEqual({
      streamId,
      revision: 3,
      position: target!.position,
      reason: 'hash_mismatch',
    });
    expect(report.mismatches).toBe(1);
    const verified = await verify();
    expect(verified.ok).toBe(false);
    expect(verified.problems.filter((p: Problem) => p.kind === 'hash_mismatch')).toEqual([
      expect.objectContaining({ streamId, revision: 3, position: target!.position }),
    ]);
    await sqlOf(ctx).query(
      `UPDATE events SET data = jsonb_set(data, '{termMonths}', '24') WHERE stream_id = $1 AND stream_revision = 3`,
      [streamId],
    );
    expect((await integrity()).ok).toBe(true);
  });

  it('names a stream whose revisions no longer follow, as a revision gap', async () => {
    const streamId = `partnership-${deal.id}`;
    const move = (from: number, to: number) =>
      sqlOf(ctx).query(
        'UPDATE events SET stream_revision = $3 WHERE stream_id = $1 AND stream_revision = $2',
        [streamId, from, to],
      );
    await move(2, 102);
    const verified = await verify();
    expect(verified.ok).toBe(false);
    expect(verified.problems).toContainEqual(
      expect.objectContaining({ kind: 'revision_gap', streamId, revision: 102 }),
    );
    await move(102, 2);
    expect((await verify()).ok).toBe(true);
  });

  it('reports a read model that differs from a rebuild of the log, and a signed head that does not verify', async () => {
    const [row] = await sqlOf(ctx).query<{ title: string }>(
      'SELECT title FROM rm_partnerships WHERE id = $1',
      [deal.id],
    );
    await sqlOf(ctx).query('UPDATE rm_partnerships SET title = $2 WHERE id = $1', [
      deal.id,
      'Edited in place',
    ]);
    // One entry of the activity feed, which verify checks batch by batch against the log (no rebuild).
    const [entry] = await sqlOf(ctx).query<{ position: string; type: string }>(
      'SELECT position::text AS position, type FROM rm_activity WHERE partnership_id = $1 ORDER BY position LIMIT 1',
      [deal.id],
    );
    await sqlOf(ctx).query('UPDATE rm_activity SET type = $2 WHERE position = $1', [
      entry!.position,
      'PartnershipWithdrawn',
    ]);
    const [head] = await sqlOf(ctx).query<{ position: number; signature: string }>(
      'SELECT position, signature FROM signed_heads ORDER BY position DESC LIMIT 1',
    );
    const forged = Buffer.from(head!.signature, 'base64');
    forged[0] = forged[0]! ^ 1;
    await sqlOf(ctx).query('UPDATE signed_heads SET signature = $2 WHERE position = $1', [
      head!.position,
      forged.toString('base64'),
    ]);
    const verified = await verify();
    expect(verified.ok).toBe(false);
    expect(verified.problems).toEqual([
      expect.objectContaining({
        kind: 'read_model_mismatch',
        detail: expect.stringContaining('partnerships.partnerships'),
      }),
      expect.objectContaining({
        kind: 'read_model_mismatch',
        detail: expect.stringContaining(`activity.activity: 1 row(s) missing or different, 1 unexpected`),
      }),
    ]);
    expect(verified.readModels).toContainEqual(expect.objectContaining({ name: 'partnerships', ok: false }));
    expect(verified.readModels).toContainEqual(
      expect.objectContaining({
        name: 'activity',
        ok: false,
        differences: [expect.objectContaining({ samples: [{ position: Number(entry!.position) }] })],
      }),
    );
    expect(verified.signedHeads.failures).toContainEqual(
      expect.objectContaining({ position: Number(head!.position), reason: 'bad_signature' }),
    );
    await sqlOf(ctx).query('UPDATE rm_partnerships SET title = $2 WHERE id = $1', [deal.id, row!.title]);
    await sqlOf(ctx).query('UPDATE rm_activity SET type = $2 WHERE position = $1', [
      entry!.position,
      entry!.type,
    ]);
    await sqlOf(ctx).query('UPDATE signed_heads SET signature = $2 WHERE position = $1', [
      head!.position,
      head!.signature,
    ]);
    expect((await verify()).ok).toBe(true);
  });

  it('fails the signed heads when the last event of a stream is deleted', async () => {
    const streamId = `organization-${deal.fr.id}`;
    const [last] = await ctx.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    await sqlOf(ctx).query('DELETE FROM events WHERE global_position = $1', [last!.position]);
    const report = await integrity();
    // Every chain still holds: only the signed digests can tell.
    expect(report.mismatches).toBe(0);
    expect(report.firstMismatch).toBeUndefined();
    expect(report.ok).toBe(false);
    expect(report.heads.failed).toBeGreaterThanOrEqual(1);
    expect(report.heads.failures[0]).toEqual(expect.objectContaining({ reason: 'digest_mismatch' }));
    const verified = await verify();
    expect(verified.ok).toBe(false);
    expect(verified.signedHeads.failed).toBe(report.heads.failed);
  });
});
