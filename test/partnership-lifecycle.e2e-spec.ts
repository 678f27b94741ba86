import { TestApp } from './support/test-app';

/** An officer takes a partnership from proposal to MOU purely over HTTP, with the spec's paths and bodies. */
describe('partnership lifecycle over HTTP', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start();
  });
  afterAll(() => ctx.close());

  it('goes from proposal to an executed MOU', async () => {
    const officer = ctx.as('officer');
    const region = await ctx.newOrganization({ country: 'FR', kind: 'region', name: 'Région Test' });
    const city = await ctx.newOrganization({ country: 'US', kind: 'city', name: 'City of Test' });
    const { id, us, fr, result } = await ctx.newPartnership();
    expect(result).toEqual({ id, revision: 0, position: expect.any(Number) });
    // The region and the city join through a fresh proposal that lists everyone.
    const all = await officer
      .post('/api/partnerships', {
        title: 'Blue economy, to an MOU',
        parties: [us.id, fr.id, region.id, city.id],
        sectors: ['blue_economy'],
        axes: ['technology_transfer'],
      })
      .expect(201);
    const pid = all.body.id;
    expect(pid).not.toBe(id);

    const meeting = await officer
      .post(`/api/partnerships/${pid}/meetings`, {
        startsAt: '2016-03-02T17:00:00Z',
        attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
      })
      .expect(201);
    const meetingId = meeting.body.meetingId;
    await officer
      .post(`/api/partnerships/${pid}/meetings/${meetingId}/outcome`, {
        heldAt: '2016-03-02T17:00:00Z',
        outcome: 'interested',
      })
      .expect(200);

    const agreement = await officer
      .post(`/api/partnerships/${pid}/agreements`, {
        title: 'Cluster agreement',
        termMonths: 120,
        signatories: [us.id, fr.id],
      })
      .expect(201);
    const agreementId = agreement.body.agreementId;
    for (const org of [us, fr]) {
      await officer
        .post(`/api/partnerships/${pid}/agreements/${agreementId}/signatures`, {
          organizationId: org.id,
          signerName: `Signer for ${org.name}`,
          signedAt: '2024-06-01',
        })
        .expect(200);
    }
    let state = await officer.get(`/api/partnerships/${pid}/state`).expect(200);
    expect(state.body.stage).toBe('agreement_signed');

    const project = await officer
      .post(`/api/partnerships/${pid}/projects`, {
        title: 'Ocean sensors pilot',
        startsOn: '2024-07-01',
        budget: { amount: 150000, currency: 'EUR' },
        fundingSources: ['Région Sud'],
        leads: [fr.id],
        milestones: [{ title: 'Prototype at sea', dueOn: '2025-03-01' }],
      })
      .expect(201);
    state = await officer.get(`/api/partnerships/${pid}/state`).expect(200);
    expect(state.body.stage).toBe('project_active');
    const milestoneId = state.body.projects[0].milestones[0].milestoneId;
    await officer
      .post(`/api/partnerships/${pid}/projects/${project.body.projectId}/milestones`, {
        milestoneId,
        reachedOn: '2025-02-20',
      })
      .expect(200);

    const mou = await officer
      .post(`/api/partnerships/${pid}/mous`, { title: 'Memorandum', signatories: [city.id, region.id] })
      .expect(201);
    await officer
      .post(`/api/partnerships/${pid}/mous/${mou.body.mouId}/signatures`, {
        organizationId: city.id,
        signerName: 'Mayor',
      })
      .expect(200);
    const last = await officer
      .post(`/api/partnerships/${pid}/mous/${mou.body.mouId}/signatures`, {
        organizationId: region.id,
        signerName: 'President',
      })
      .expect(200);

    state = await officer.get(`/api/partnerships/${pid}/state`).expect(200);
    expect(state.body.stage).toBe('mou_signed');
    expect(state.headers.etag).toBe(`"${last.body.revision}"`);
    expect(state.body.revision).toBe(last.body.revision);

    const history = await ctx.as('auditor').get(`/api/partnerships/${pid}/history`).expect(200);
    const types = history.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'PartnershipProposed',
      'IntroductionMeetingScheduled',
      'IntroductionMeetingHeld',
      'AgreementDrafted',
      'AgreementSigned',
      'AgreementSigned',
      'AgreementExecuted',
      'JointProjectLaunched',
      'JointProjectMilestoneReached',
      'MouDrafted',
      'MouSigned',
      'MouSigned',
      'MouExecuted',
    ]);
    expect(history.body.events[0].metadata.actor).toEqual({
      sub: 'test-officer',
      name: 'Test officer',
      roles: ['officer'],
    });
    expect(history.body.events.every((e: { hash: string }) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);

    // Time travel: the state as of the agreement's execution.
    const executed = history.body.events.find((e: { type: string }) => e.type === 'AgreementExecuted');
    const past = await ctx
      .as('auditor')
      .get(`/api/partnerships/${pid}/state?asOf=${executed.revision}`)
      .expect(200);
    expect(past.body.stage).toBe('agreement_signed');
    expect(past.body.revision).toBe(executed.revision);
  });

  it('suspends, refuses commands while on hold, resumes to the stage it left, and withdraws for good', async () => {
    const officer = ctx.as('officer');
    const { id, us, fr } = await ctx.newPartnership();
    await officer.post(`/api/partnerships/${id}/suspension`, { reason: 'Budget cycle' }).expect(200);
    const before = await ctx.eventCount();
    const refused = await officer
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: '2030-01-01T10:00:00Z',
        attendees: [us.contacts[0]!.email],
      })
      .expect(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.type).toBe('urn:passerelle:problem:partnership.on_hold');
    expect(await ctx.eventCount()).toBe(before);
    await officer.post(`/api/partnerships/${id}/resumption`, {}).expect(200);
    let state = await officer.get(`/api/partnerships/${id}/state`).expect(200);
    expect(state.body.stage).toBe('proposed');
    await officer.post(`/api/partnerships/${id}/withdrawal`, { reason: 'Priorities changed' }).expect(200);
    const after = await ctx.eventCount();
    const again = await officer
      .post(`/api/partnerships/${id}/agreements`, {
        title: 'Too late',
        termMonths: 12,
        signatories: [us.id, fr.id],
      })
      .expect(409);
    expect(again.body.type).toBe('urn:passerelle:problem:partnership.withdrawn');
    expect(await ctx.eventCount()).toBe(after);
    state = await officer.get(`/api/partnerships/${id}/state`).expect(200);
    expect(state.body.stage).toBe('withdrawn');
  });
});
