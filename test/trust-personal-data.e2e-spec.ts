import { ERASED, personStreamId } from '@passerelle/domain';
import { TestApp } from './support/test-app';
import { dealWithPeople, eventsByTestUsers, PeopleDeal, sqlOf, storedText } from './trust-support';

const problem = (code: string) => `urn:passerelle:problem:${code}`;

interface HistoryEvent {
  type: string;
  data: Record<string, unknown>;
}

describe('personal data: encrypted in the log, forgotten on request', () => {
  let ctx: TestApp;
  let deal: PeopleDeal;
  const history = async () =>
    (await ctx.as('auditor').get(`/api/partnerships/${deal.id}/history`).expect(200)).body
      .events as HistoryEvent[];
  const ofType = (events: HistoryEvent[], type: string) => events.filter((e) => e.type === type);

  beforeAll(async () => {
    ctx = await TestApp.start();
    deal = await dealWithPeople(ctx, 'pd');
  });
  afterAll(() => ctx.close());

  it('stores no name and no address in clear, yet every reader sees them', async () => {
    const stored = await storedText(ctx);
    for (const person of [deal.bruno, deal.alice, deal.ines]) {
      expect(stored).not.toContain(person.email);
      expect(stored).not.toContain(person.name);
    }
    expect(stored).not.toContain(deal.signers.fr);
    expect(stored).toMatch(/"pii:v1:[0-9a-f-]{36}:[\w-]+:[\w-]+"/);
    // What is not personal stays readable as it is.
    expect(stored).toContain(deal.fr.name);
    expect(stored).toContain('"role": "Director"');

    const organization = await ctx.as('officer').get(`/api/organizations/${deal.fr.id}`).expect(200);
    expect(organization.body.contacts).toEqual([
      { name: deal.bruno.name, email: deal.bruno.email, role: 'Director', language: 'fr' },
      { name: deal.ines.name, email: deal.ines.email, role: null, language: 'fr' },
    ]);
    const events = await history();
    expect(ofType(events, 'IntroductionMeetingHeld')[0]!.data.attendeesPresent).toEqual([
      expect.objectContaining({ name: deal.bruno.name, email: deal.bruno.email }),
    ]);
    expect(ofType(events, 'AgreementSigned').map((e) => e.data.signerName)).toEqual([
      deal.signers.us,
      deal.signers.fr,
    ]);
  });

  it('lets only an admin forget someone, with an address or a signer name, not both, not neither', async () => {
    const body = { email: deal.bruno.email };
    expect((await ctx.http().post('/api/people/forget').send(body)).status).toBe(401);
    for (const role of ['officer', 'auditor', 'viewer'] as const) {
      const response = await ctx.as(role).post('/api/people/forget', body);
      expect({ role, status: response.status }).toEqual({ role, status: 403 });
    }
    const before = await eventsByTestUsers(ctx);
    for (const invalid of [
      {},
      { email: deal.bruno.email, signerName: deal.signers.fr },
      { email: 'not an address' },
      { signerName: '' },
      { email: deal.bruno.email, extra: true },
      { signerName: ['x'] },
    ]) {
      const response = await ctx.as('admin').post('/api/people/forget', invalid);
      expect({ invalid, status: response.status, type: response.body.type }).toEqual({
        invalid,
        status: 400,
        type: problem('validation'),
      });
    }
    expect(await eventsByTestUsers(ctx)).toBe(before);
    // Nothing was forgotten by the refused requests.
    const organization = await ctx.as('officer').get(`/api/organizations/${deal.fr.id}`).expect(200);
    expect(organization.body.contacts[0].email).toBe(deal.bruno.email);
  });

  it('forgets a contact: erased in every event that named them, others untouched, the erasure recorded without them', async () => {
    const before = await eventsByTestUsers(ctx);
    const head = await ctx.eventCount();
    const forgotten = await ctx
      .as('admin')
      .post('/api/people/forget', { email: deal.bruno.email.toUpperCase() })
      .expect(200);
    expect(forgotten.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      revision: 0,
      position: expect.any(Number),
    });
    expect(forgotten.body.position).toBeGreaterThan(head);
    const subject = forgotten.body.id as string;

    const organization = await ctx.as('officer').get(`/api/organizations/${deal.fr.id}`).expect(200);
    expect(organization.body.contacts).toEqual([
      { name: ERASED, email: ERASED, role: 'Director', language: 'fr' },
      { name: deal.ines.name, email: deal.ines.email, role: null, language: 'fr' },
    ]);
    const events = await history();
    const attendees = ofType(events, 'IntroductionMeetingScheduled')[0]!.data.attendees;
    expect(attendees).toEqual([
      expect.objectContaining({ email: deal.alice.email, name: deal.alice.name }),
      expect.objectContaining({ email: ERASED, name: ERASED, organizationId: deal.fr.id }),
    ]);
    expect(ofType(events, 'IntroductionMeetingHeld')[0]!.data.attendeesPresent).toEqual([
      expect.objectContaining({ name: ERASED, email: ERASED }),
    ]);
    const state = await ctx.as('officer').get(`/api/partnerships/${deal.id}/state`).expect(200);
    expect(JSON.stringify(state.body)).not.toContain(deal.bruno.email);

    // The record of the erasure: the keyed hash, when, by whom; no address, no name.
    const [record] = await ctx.store.readStream(personStreamId(subject));
    expect(record).toEqual(
      expect.objectContaining({
        type: 'PersonForgotten',
        version: 1,
        data: { subject, forgottenAt: expect.any(String) },
        metadata: expect.objectContaining({ actor: expect.objectContaining({ sub: 'test-admin' }) }),
      }),
    );
    expect(JSON.stringify(record)).not.toMatch(/bruno/i);
    // The key is gone from the database, not merely hidden.
    expect(await sqlOf(ctx).query('SELECT 1 FROM person_keys WHERE subject = $1', [subject])).toEqual([]);

    // Forgetting again answers the same and records nothing more.
    const again = await ctx.as('admin').post('/api/people/forget', { email: deal.bruno.email }).expect(200);
    expect(again.body).toEqual(forgotten.body);
    expect(await eventsByTestUsers(ctx)).toBe(before + 1);
  });

  it('stores nothing of a forgotten person written again, and the log still verifies', async () => {
    const org = await ctx.newOrganization({
      country: 'FR',
      contacts: [{ name: 'Bruno again', email: deal.bruno.email, language: 'fr' }],
    });
    const read = await ctx.as('officer').get(`/api/organizations/${org.id}`).expect(200);
    expect(read.body.contacts[0]).toEqual(expect.objectContaining({ name: ERASED, email: ERASED }));
    expect(await storedText(ctx)).not.toContain('Bruno again');

    const report = await ctx.as('auditor').get('/api/audit/integrity').expect(200);
    expect(report.body).toEqual(expect.objectContaining({ ok: true, mismatches: 0 }));
  });

  it('reads as erased in the read models once they are rebuilt, and the whole verification is clean', async () => {
    const { body: status } = await ctx.as('admin').get('/api/projections').expect(200);
    for (const { name } of status.projections as { name: string }[]) {
      await ctx.as('admin').post(`/api/projections/${name}/rebuild`).expect(200);
    }
    const partnership = await ctx.as('viewer').get(`/api/partnerships/${deal.id}`).expect(200);
    const organizations = await ctx.as('viewer').get(`/api/organizations?country=FR`).expect(200);
    for (const body of [partnership.body, organizations.body]) {
      expect(JSON.stringify(body)).not.toContain(deal.bruno.email);
      expect(JSON.stringify(body)).not.toContain(deal.bruno.name);
    }
    const verify = await ctx.as('auditor').get('/api/audit/verify').expect(200);
    expect({ ok: verify.body.ok, problems: verify.body.problems }).toEqual({ ok: true, problems: [] });
  });

  it('forgets a signer by name, however it is spelt', async () => {
    await ctx
      .as('admin')
      .post('/api/people/forget', { signerName: `  ${deal.signers.fr.toUpperCase().replace(' ', '   ')}` })
      .expect(200);
    const signatures = ofType(await history(), 'AgreementSigned').map((e) => e.data.signerName);
    expect(signatures).toEqual([deal.signers.us, ERASED]);
    const audit = await ctx.as('auditor').get('/api/audit/events?type=AgreementSigned').expect(200);
    expect(JSON.stringify(audit.body)).not.toContain(deal.signers.fr);
    expect(JSON.stringify(audit.body)).toContain(deal.signers.us);
  });
});
