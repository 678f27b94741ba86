import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  AGREEMENT_ID,
  command,
  event,
  GOBIZ,
  histories,
  IHUB,
  MOU_DRAFTED_ON,
  MOU_ID,
  mouDrafted,
  POLE,
  REGION,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

const draft = (signatories = [GOBIZ.id, REGION.id]) =>
  command('DraftMou', {
    mouId: MOU_ID,
    title: 'Memorandum of understanding on the blue economy',
    signatories,
    on: MOU_DRAFTED_ON,
  });

const sign = (organizationId: string, signerName: string, signedAt = '2025-03-07') =>
  command('SignMou', { mouId: MOU_ID, organizationId, signerName, signedAt });

const mouSigned = (organizationId: string, signerName: string, pendingSignatories: string[]) =>
  event('MouSigned', {
    mouId: MOU_ID,
    organizationId,
    signerName,
    signedAt: '2025-03-07T00:00:00.000Z',
    signedOn: '2025-03-07',
    pendingSignatories,
  });

describe('DraftMou', () => {
  it('drafts an MOU between governments once an agreement is executed and a joint project launched', () => {
    given(histories.projectActive()).when(draft()).then([mouDrafted()]);
  });

  it('refuses an MOU before any joint project', () => {
    given(histories.agreementExecuted()).when(draft()).thenThrows('mou.no_joint_project');
  });

  it('refuses an MOU before any executed agreement', () => {
    given(histories.agreementDrafted()).when(draft()).thenThrows('mou.no_executed_agreement');
  });

  it('accepts an agreement that has since expired as the executed agreement', () => {
    const expired = event('AgreementExpired', {
      agreementId: AGREEMENT_ID,
      title: 'Cluster cooperation agreement',
      expiresOn: '2027-03-05',
    });
    given([...histories.projectActive(), expired])
      .when(draft())
      .then([mouDrafted()]);
  });

  it('refuses a signatory that is not a government, region, city or agency', () => {
    given(histories.projectActive())
      .when(draft([GOBIZ.id, REGION.id, POLE.id]))
      .thenThrows('mou.signatory_not_government', {
        organizations: [{ organizationId: POLE.id, kind: 'pole' }],
      });
  });

  it('refuses signatories from one side only', () => {
    given(histories.projectActive())
      .when(draft([GOBIZ.id]))
      .thenThrows('mou.signatories_both_sides');
  });

  it('refuses a signatory that is not a party', () => {
    given(histories.projectActive())
      .when(draft([GOBIZ.id, REGION.id, '0a000000-0000-4000-8000-0000000000ff']))
      .thenThrows('mou.signatory_not_party');
  });

  it('refuses an MOU id already used', () => {
    given(histories.mouDrafted()).when(draft()).thenThrows('mou.already_exists');
  });
});

describe('SignMou', () => {
  it('records a government signature', () => {
    given(histories.mouDrafted())
      .when(sign(GOBIZ.id, 'Dee Myers'))
      .then([mouSigned(GOBIZ.id, 'Dee Myers', [REGION.id])]);
  });

  it('executes the MOU with the last signature', () => {
    given([...histories.mouDrafted(), mouSigned(GOBIZ.id, 'Dee Myers', [REGION.id])])
      .when(sign(REGION.id, 'Renaud Muselier'))
      .then([
        mouSigned(REGION.id, 'Renaud Muselier', []),
        event('MouExecuted', {
          mouId: MOU_ID,
          title: 'Memorandum of understanding on the blue economy',
          signatories: [GOBIZ.id, REGION.id],
          executedOn: '2025-03-07',
        }),
      ]);
  });

  it('refuses an organisation that is not a signatory of the MOU', () => {
    given(histories.mouDrafted()).when(sign(IHUB.id, 'Alice Walker')).thenThrows('mou.not_a_signatory');
  });

  it('refuses a second signature from the same government', () => {
    given([...histories.mouDrafted(), mouSigned(GOBIZ.id, 'Dee Myers', [REGION.id])])
      .when(sign(GOBIZ.id, 'Dee Myers'))
      .thenThrows('mou.already_signed');
  });

  it('refuses a signature dated in the future', () => {
    given(histories.mouDrafted())
      .when(sign(GOBIZ.id, 'Dee Myers', '2025-03-10T09:00:01Z'))
      .thenThrows('signature.in_future');
  });

  it('refuses to sign an executed MOU', () => {
    const executed = [
      ...histories.mouDrafted(),
      mouSigned(GOBIZ.id, 'Dee Myers', [REGION.id]),
      mouSigned(REGION.id, 'Renaud Muselier', []),
      event('MouExecuted', {
        mouId: MOU_ID,
        title: 'MOU',
        signatories: [GOBIZ.id, REGION.id],
        executedOn: '2025-03-07',
      }),
    ];
    expect((fold(partnershipDecider, executed) as Partnership).stage).toBe('mou_signed');
    given(executed).when(sign(GOBIZ.id, 'Dee Myers')).thenThrows('mou.already_executed');
  });

  it('refuses an unknown MOU', () => {
    given(histories.projectActive()).when(sign(GOBIZ.id, 'Dee Myers')).thenThrows('mou.not_found');
  });
});
