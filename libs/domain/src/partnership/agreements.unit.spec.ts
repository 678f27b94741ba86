import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  AGREEMENT_DRAFTED_ON,
  AGREEMENT_ID,
  agreementDrafted,
  agreementExecuted,
  agreementSigned,
  command,
  event,
  FR_COMPANY,
  GOBIZ,
  histories,
  IHUB,
  meetingHeld,
  meetingScheduled,
  NOW,
  POLE,
  proposed,
  REGION,
  suspended,
  US_COMPANY,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

const draft = (overrides: Partial<Parameters<typeof command<'DraftAgreement'>>[1]> = {}) =>
  command('DraftAgreement', {
    agreementId: AGREEMENT_ID,
    title: 'Cluster cooperation agreement',
    termMonths: 24,
    signatories: [IHUB.id, POLE.id],
    on: AGREEMENT_DRAFTED_ON,
    ...overrides,
  });

const sign = (organizationId: string, signerName: string, signedAt?: string, now: Date = NOW) =>
  command('SignAgreement', { agreementId: AGREEMENT_ID, organizationId, signerName, signedAt }, now);

describe('DraftAgreement', () => {
  it('drafts an agreement once the parties have been introduced', () => {
    given(histories.introduced()).when(draft()).then([agreementDrafted()]);
  });

  it('refuses a draft before the introduction', () => {
    given([proposed(), meetingScheduled(), meetingHeld('follow_up')])
      .when(draft())
      .thenThrows('partnership.not_introduced');
  });

  it('refuses a signatory that is not a party', () => {
    given(histories.introduced())
      .when(draft({ signatories: [IHUB.id, POLE.id, FR_COMPANY.id] }))
      .thenThrows('agreement.signatory_not_party', { organizationIds: [FR_COMPANY.id] });
  });

  it('refuses signatories from one side only', () => {
    given(histories.introduced())
      .when(draft({ signatories: [POLE.id, REGION.id] }))
      .thenThrows('agreement.signatories_both_sides');
  });

  it('refuses a term outside 1 to 120 whole months', () => {
    given(histories.introduced())
      .when(draft({ termMonths: 0 }))
      .thenThrows('agreement.invalid_term');
    given(histories.introduced())
      .when(draft({ termMonths: 121 }))
      .thenThrows('agreement.invalid_term');
    given(histories.introduced())
      .when(draft({ termMonths: 6.5 }))
      .thenThrows('agreement.invalid_term');
  });

  it('refuses an agreement id already used', () => {
    given(histories.agreementDrafted()).when(draft()).thenThrows('agreement.already_exists');
  });
});

describe('AmendAgreement', () => {
  const amend = (overrides: Partial<Parameters<typeof command<'AmendAgreement'>>[1]> = {}) =>
    command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'Add the region', ...overrides });

  it('amends a draft, states the new terms in full and voids the signatures collected so far', () => {
    given([...histories.agreementDrafted(), agreementSigned(IHUB, '2025-03-04', [POLE.id])])
      .when(amend({ termMonths: 36, signatories: [IHUB.id, POLE.id, REGION.id] }))
      .then([
        event('AgreementAmended', {
          agreementId: AGREEMENT_ID,
          reason: 'Add the region',
          amendment: 1,
          title: 'Cluster cooperation agreement',
          scope: null,
          termMonths: 36,
          signatories: [IHUB.id, POLE.id, REGION.id],
          clearedSignatures: [IHUB.id],
        }),
      ]);
  });

  it('leaves the agreement with no signature after an amendment', () => {
    const history = [...histories.agreementDrafted(), agreementSigned(IHUB, '2025-03-04', [POLE.id])];
    const amended = partnershipDecider.decide(amend(), fold(partnershipDecider, history));
    const state = fold(partnershipDecider, [...history, ...amended]) as Partnership;
    expect(state.agreements[0]).toMatchObject({ status: 'draft', signatures: [], amendments: 1 });
  });

  it('refuses to amend an executed agreement', () => {
    given(histories.agreementExecuted()).when(amend()).thenThrows('agreement.already_executed');
  });

  it('requires a reason', () => {
    given(histories.agreementDrafted())
      .when(amend({ reason: '' }))
      .thenThrows('validation.required', { field: 'reason' });
  });

  it('applies the signatory rules to new signatories', () => {
    given(histories.agreementDrafted())
      .when(amend({ signatories: [IHUB.id, US_COMPANY.id] }))
      .thenThrows('agreement.signatory_not_party');
  });

  it('refuses an unknown agreement', () => {
    given(histories.introduced()).when(amend()).thenThrows('agreement.not_found');
  });
});

describe('SignAgreement', () => {
  it('records a signature and who is still to sign', () => {
    given(histories.agreementDrafted())
      .when(sign(IHUB.id, 'Alice Walker', '2025-03-04'))
      .then([agreementSigned(IHUB, '2025-03-04', [POLE.id])]);
  });

  it('executes the agreement with the last signature, dated that day, expiring after its term', () => {
    given([...histories.agreementDrafted(), agreementSigned(IHUB, '2025-03-04', [POLE.id])])
      .when(sign(POLE.id, 'Bruno Martin', '2025-03-05'))
      .then([agreementSigned(POLE, '2025-03-05', []), agreementExecuted('2025-03-05', '2027-03-05')]);
  });

  it('moves the partnership to agreement_signed when an agreement is executed', () => {
    expect((fold(partnershipDecider, histories.agreementExecuted()) as Partnership).stage).toBe(
      'agreement_signed',
    );
  });

  it('dates a signature given without a date at the time of the command, as signed on that UTC day', () => {
    given(histories.agreementDrafted())
      .when(sign(IHUB.id, 'Alice Walker'))
      .then([
        event('AgreementSigned', {
          agreementId: AGREEMENT_ID,
          organizationId: IHUB.id,
          signerName: 'Alice Walker',
          signedAt: NOW.toISOString(),
          signedOn: '2025-03-10',
          pendingSignatories: [POLE.id],
        }),
      ]);
  });

  it('keeps the date the signer wrote, whatever the offset', () => {
    const [signed] = partnershipDecider.decide(
      sign(IHUB.id, 'Alice Walker', '2025-03-04T18:00:00-08:00'),
      fold(partnershipDecider, histories.agreementDrafted()),
    );
    expect(signed.data).toMatchObject({ signedAt: '2025-03-05T02:00:00.000Z', signedOn: '2025-03-04' });
  });

  it('executes on the latest signature date when signatures are entered out of order', () => {
    const events = partnershipDecider.decide(
      sign(POLE.id, 'Bruno Martin', '2025-03-03'),
      fold(partnershipDecider, [
        ...histories.agreementDrafted(),
        agreementSigned(IHUB, '2025-03-04', [POLE.id]),
      ]),
    );
    expect(events[1].data).toMatchObject({ executedOn: '2025-03-04', expiresOn: '2027-03-04' });
  });

  it('refuses an organisation that is not a signatory', () => {
    given(histories.agreementDrafted())
      .when(sign(GOBIZ.id, 'Dee Myers'))
      .thenThrows('agreement.not_a_signatory');
  });

  it('refuses a second signature from the same organisation', () => {
    given([...histories.agreementDrafted(), agreementSigned(IHUB, '2025-03-04', [POLE.id])])
      .when(sign(IHUB.id, 'Alice Walker'))
      .thenThrows('agreement.already_signed');
  });

  it('refuses a signature dated in the future', () => {
    given(histories.agreementDrafted())
      .when(sign(IHUB.id, 'Alice Walker', '2025-03-11'))
      .thenThrows('signature.in_future');
  });

  it('refuses to sign an executed agreement', () => {
    given(histories.agreementExecuted())
      .when(sign(IHUB.id, 'Alice Walker'))
      .thenThrows('agreement.already_executed');
  });

  it('requires the signer name', () => {
    given(histories.agreementDrafted())
      .when(sign(IHUB.id, ' '))
      .thenThrows('validation.required', { field: 'signerName' });
  });
});

describe('ExpireAgreement (scheduler)', () => {
  const expire = (now: Date) => command('ExpireAgreement', { agreementId: AGREEMENT_ID }, now);
  const expired = () =>
    event(
      'AgreementExpired',
      { agreementId: AGREEMENT_ID, title: 'Cluster cooperation agreement', expiresOn: '2027-03-05' },
      '2027-03-05T00:00:00.000Z',
    );

  it('expires an executed agreement on the day its term ends', () => {
    given(histories.agreementExecuted())
      .when(expire(new Date('2027-03-05T00:00:00Z')))
      .then([expired()]);
  });

  it('refuses while the term runs', () => {
    given(histories.agreementExecuted())
      .when(expire(new Date('2027-03-04T23:59:59Z')))
      .thenThrows('agreement.term_not_ended', { expiresOn: '2027-03-05' });
  });

  it('refuses an agreement that was never executed', () => {
    given(histories.agreementDrafted())
      .when(expire(new Date('2030-01-01T00:00:00Z')))
      .thenThrows('agreement.not_executed');
  });

  it('refuses an agreement already expired', () => {
    given([...histories.agreementExecuted(), expired()])
      .when(expire(new Date('2027-06-01T00:00:00Z')))
      .thenThrows('agreement.already_expired');
  });

  it('expires an agreement of a partnership on hold: time runs on during a suspension', () => {
    given([...histories.agreementExecuted(), suspended('agreement_signed')])
      .when(expire(new Date('2027-03-05T00:00:00Z')))
      .then([expired()]);
  });

  it('marks the agreement expired and keeps the stage reached', () => {
    const state = fold(partnershipDecider, [...histories.agreementExecuted(), expired()]) as Partnership;
    expect({ stage: state.stage, agreement: state.agreements[0].status }).toStrictEqual({
      stage: 'agreement_signed',
      agreement: 'expired',
    });
  });
});
