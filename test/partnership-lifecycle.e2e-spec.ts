import { AGREEMENT_EXPIRY, type AgreementExpiry } from '@passerelle/notifications';
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
        on: '2016-03-01',
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
        on: '2024-05-15',
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

  describe('history entered today, at its business dates', () => {
    /** Proposed, introduced, and an agreement signed on 12 January 2017 for 36 months: its term ended in 2020. */
    const signed2017 = async () => {
      const officer = ctx.as('officer');
      const { id, us, fr } = await ctx.newPartnership({ on: '2016-11-02' });
      const meeting = await officer
        .post(`/api/partnerships/${id}/meetings`, {
          startsAt: '2016-11-15T17:00:00Z',
          attendees: [us.contacts[0]!.email],
        })
        .expect(201);
      await officer
        .post(`/api/partnerships/${id}/meetings/${meeting.body.meetingId}/outcome`, {
          heldAt: '2016-11-15T17:00:00Z',
          outcome: 'interested',
        })
        .expect(200);
      const agreement = await officer
        .post(`/api/partnerships/${id}/agreements`, {
          title: 'Cluster agreement',
          termMonths: 36,
          signatories: [us.id, fr.id],
          on: '2016-12-01',
        })
        .expect(201);
      const agreementId = agreement.body.agreementId as string;
      for (const [org, signedAt] of [
        [us, '2017-01-10'],
        [fr, '2017-01-12'],
      ] as const) {
        await officer
          .post(`/api/partnerships/${id}/agreements/${agreementId}/signatures`, {
            organizationId: org.id,
            signerName: `Signer for ${org.name}`,
            signedAt,
          })
          .expect(200);
      }
      return { id, us, fr, agreementId };
    };
    const project = (leads: string[], startsOn: string) => ({
      title: 'Ocean sensors pilot',
      startsOn,
      budget: { amount: 150000, currency: 'EUR' },
      fundingSources: ['Région Sud'],
      leads,
      milestones: [{ title: 'Prototype at sea', dueOn: '2017-09-01' }],
    });
    /** The end of the term through the scheduler's own path: `expired`, or `already_expired` if its timer came first. */
    const expire = (id: string, agreementId: string) =>
      ctx.app.get<AgreementExpiry>(AGREEMENT_EXPIRY).expire(id, agreementId);

    it('accepts a project started inside the term though the expiry was recorded before it', async () => {
      const officer = ctx.as('officer');
      const { id, fr, agreementId } = await signed2017();
      expect(['expired', 'already_expired']).toContain(await expire(id, agreementId));
      const history = await ctx.as('auditor').get(`/api/partnerships/${id}/history`).expect(200);
      const expired = history.body.events.find((e: { type: string }) => e.type === 'AgreementExpired');
      expect(expired.data).toMatchObject({ on: '2020-01-12', expiresOn: '2020-01-12' });

      const launched = await officer
        .post(`/api/partnerships/${id}/projects`, project([fr.id], '2017-03-01'))
        .expect(201);
      const state = await officer.get(`/api/partnerships/${id}/state`).expect(200);
      expect(state.body.stage).toBe('project_active');
      expect(state.body.agreements[0]).toMatchObject({ status: 'expired', executedOn: '2017-01-12' });
      expect(state.body.projects[0]).toMatchObject({ startsOn: '2017-03-01', agreementIds: [agreementId] });

      // The pipeline counts the days between stages in business dates, not in days of data entry.
      const pipeline = await officer
        .get(`/api/dashboard/pipeline?organizationId=${fr.id}&minPosition=${launched.body.position}`)
        .expect(200);
      expect(pipeline.body.medianDaysBetweenStages).toMatchObject({
        'proposed→introduced': 13,
        'introduced→agreement_signed': 58,
        'agreement_signed→project_active': 48,
      });
      const inPeriod = await officer
        .get(`/api/dashboard/pipeline?organizationId=${fr.id}&from=2017-01-01&to=2017-12-31`)
        .expect(200);
      expect(inPeriod.body).toMatchObject({
        period: { from: '2017-01-01', to: '2017-12-31' },
        reached: { proposed: 0, introduced: 0, agreement_signed: 1, project_active: 1 },
        conversion: { 'agreement_signed→project_active': 1 },
      });
    });

    it('decides the same when the project is entered before the expiry is recorded', async () => {
      const officer = ctx.as('officer');
      const { id, fr, agreementId } = await signed2017();
      await officer.post(`/api/partnerships/${id}/projects`, project([fr.id], '2017-03-01')).expect(201);
      expect(['expired', 'already_expired']).toContain(await expire(id, agreementId));
      const state = await officer.get(`/api/partnerships/${id}/state`).expect(200);
      expect(state.body.stage).toBe('project_active');
      expect(state.body.agreements[0].status).toBe('expired');
    });

    it('refuses a project started after the term and a signature before its draft, appending nothing', async () => {
      const officer = ctx.as('officer');
      const { id, us, fr, agreementId } = await signed2017();
      // Recorded first, so that the scheduler's timer appends nothing while the events are counted.
      await expire(id, agreementId);
      const before = await ctx.eventCount();
      const late = await officer
        .post(`/api/partnerships/${id}/projects`, project([fr.id], '2020-01-12'))
        .expect(409);
      expect(late.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(late.body.type).toBe('urn:passerelle:problem:project.agreement_ended');
      const second = await officer
        .post(`/api/partnerships/${id}/agreements`, {
          title: 'Second agreement',
          termMonths: 12,
          signatories: [us.id, fr.id],
          on: '2018-03-01',
        })
        .expect(201);
      const early = await officer
        .post(`/api/partnerships/${id}/agreements/${second.body.agreementId}/signatures`, {
          organizationId: us.id,
          signerName: 'Signer',
          signedAt: '2018-02-28',
        })
        .expect(409);
      expect(early.body.type).toBe('urn:passerelle:problem:signature.before_draft');
      const future = await officer
        .post(`/api/partnerships/${id}/suspension`, { reason: 'Later', on: '2999-01-01' })
        .expect(409);
      expect(future.body.type).toBe('urn:passerelle:problem:business_date.in_future');
      expect(await ctx.eventCount()).toBe(before + 1);
    });
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
