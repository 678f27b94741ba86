import { currentVersionOf, ERASED, streamIdFor } from '@passerelle/domain';
import { randomUUID } from 'node:crypto';
import { HistoryDocuments } from '../apps/api/src/partnerships/history-documents';
import { dealWithPeople, type PeopleDeal } from './trust-support';
import { POSTGRES_URL, TestApp } from './support/test-app';

/**
 * Two API replicas on one PostgreSQL schema, each keeping the partnership's long stream in memory
 * (decision 0018): a person forgotten through one reads as erased in the other's very next answer.
 */
describe('a long stream read from memory, forgotten in another replica', () => {
  const tag = randomUUID().slice(0, 8);
  let a: TestApp;
  let b: TestApp;
  let deal: PeopleDeal;

  beforeAll(async () => {
    a = await TestApp.start({ postgres: true });
    b = await TestApp.start({
      postgres: true,
      env: {
        DATABASE_URL: POSTGRES_URL,
        DATABASE_SCHEMA: a.config.databaseSchema!,
        DATA_KEY: a.config.dataKey!,
        SIGNING_KEY: a.config.signingKey!,
        IN_PROCESS: 'none',
      },
    });
    deal = await dealWithPeople(a, tag);
    // Long enough to be kept in memory: suspended and resumed again and again.
    const streamId = streamIdFor.partnership(deal.id);
    const { body: state } = await a.as('officer').get(`/api/partnerships/${deal.id}/state`).expect(200);
    const events = Array.from({ length: 240 }, (_, index) => {
      const data =
        index % 2 === 0 ? { reason: 'Budget review', fromStage: state.stage } : { toStage: state.stage };
      const type = index % 2 === 0 ? 'PartnershipSuspended' : 'PartnershipResumed';
      return {
        id: randomUUID(),
        type,
        version: currentVersionOf(type),
        data: { partnershipId: deal.id, ...data, on: '2020-06-01', occurredAt: '2020-06-01T09:00:00.000Z' },
        metadata: { actor: { sub: 'test-officer', roles: ['officer'] } },
      };
    });
    await a.store.appendToStream(streamId, events, state.revision);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const history = async (replica: TestApp) =>
    JSON.stringify(
      (await replica.as('auditor').get(`/api/partnerships/${deal.id}/history`).expect(200)).body,
    );
  const state = async (replica: TestApp, asOf = '') =>
    JSON.stringify(
      (await replica.as('officer').get(`/api/partnerships/${deal.id}/state${asOf}`).expect(200)).body,
    );

  it('shows the erased values in the other replica at once, history and state, now and in the past', async () => {
    for (const replica of [a, b, a, b]) {
      const text = await history(replica);
      expect(text).toContain(deal.bruno.email);
      expect(text).toContain(deal.signers.fr);
      expect(await state(replica)).toContain(deal.bruno.email);
      expect(await state(replica, '?asOf=8')).toContain(deal.bruno.email);
    }
    const before = JSON.parse(await history(b)) as { revision: number; events: unknown[] };
    expect(before.events).toHaveLength(before.revision + 1);
    expect(before.revision).toBeGreaterThanOrEqual(240);

    await a.as('admin').post('/api/people/forget', { email: deal.bruno.email }).expect(200);

    for (const text of [await history(b), await state(b), await state(b, '?asOf=8')]) {
      expect(text).not.toContain(deal.bruno.email);
      expect(text).not.toContain(deal.bruno.name);
      expect(text).toContain(ERASED);
      // Someone else's fields still open.
      expect(text).toContain(deal.alice.email);
    }
    await a.as('admin').post('/api/people/forget', { signerName: deal.signers.fr }).expect(200);
    const after = await history(b);
    expect(after).not.toContain(deal.signers.fr);
    expect(after).toContain(deal.signers.us);
    expect(await history(a)).not.toContain(deal.bruno.email);
  });

  it('keeps the encoded answer, its ETag right across a forget, and the answer the same for every role that reads it', async () => {
    const kept = () => b.app.get(HistoryDocuments).size;
    const first = await b.as('auditor').get(`/api/partnerships/${deal.id}/history`).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    expect(kept()).toBeGreaterThanOrEqual(first.text.length);
    // Served from memory: the same bytes, the same ETag, and If-None-Match still answers 304.
    const again = await b.as('auditor').get(`/api/partnerships/${deal.id}/history`).expect(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.etag).toBe(etag);
    await b.as('auditor').get(`/api/partnerships/${deal.id}/history`).set('If-None-Match', etag).expect(304);
    // An officer sees what an auditor sees; a viewer is refused even though the answer is kept.
    const officer = await b.as('officer').get(`/api/partnerships/${deal.id}/history`).expect(200);
    expect(officer.text).toBe(first.text);
    await b.as('viewer').get(`/api/partnerships/${deal.id}/history`).expect(403);

    expect(first.text).toContain(deal.alice.email);
    await a.as('admin').post('/api/people/forget', { email: deal.alice.email }).expect(200);
    const after = await b
      .as('auditor')
      .get(`/api/partnerships/${deal.id}/history`)
      .set('If-None-Match', etag)
      .expect(200);
    expect(after.text).not.toContain(deal.alice.email);
    expect(after.text).toContain(ERASED);
    expect(after.headers.etag).not.toBe(etag);
  });

  it('answers every event, the ones appended through the other replica included', async () => {
    const before = JSON.parse(await history(b)) as { revision: number };
    const suspended = await a
      .as('officer')
      .post(`/api/partnerships/${deal.id}/suspension`, { reason: 'Elections' })
      .expect(200);
    const after = JSON.parse(await history(b)) as { revision: number; events: { type: string }[] };
    expect(after.revision).toBe(suspended.body.revision);
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.events.at(-1)!.type).toBe('PartnershipSuspended');
    const past = JSON.parse(await state(b, `?asOf=${before.revision}`)) as { revision: number };
    expect(past.revision).toBe(before.revision);
  });
});
