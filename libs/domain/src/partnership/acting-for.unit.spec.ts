import { fold } from '../shared/decider';
import { DomainError } from '../shared/errors';
import {
  AGREEMENT_ID,
  command,
  GOBIZ,
  histories,
  IHUB,
  lifecycleCommands,
  MEETING_ID,
  PARTIES,
  PARTNERSHIP_ID,
  POLE,
  PROJECT_ID,
  REGION,
  US_COMPANY,
} from '../testing/fixtures';
import { checkActingFor } from './acting-for';
import type { PartnershipCommand } from './commands';
import { partnershipDecider } from './decider';
import type { PartnershipEvent } from './events';
import type { PartnershipState } from './state';

/** The refusal the check throws, or null when it lets the command through. */
const refusal = (actingFor: string, next: PartnershipCommand, state: PartnershipState) => {
  try {
    checkActingFor(actingFor, next, state);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
};

const signingFor = (next: PartnershipCommand): string | null =>
  next.type === 'SignAgreement' || next.type === 'SignMou' ? next.data.organizationId : null;

/** Each command with the state it is decided on, the commands before it having been applied. */
const along = (commands: PartnershipCommand[], start: PartnershipEvent[] = []) => {
  let state = fold(partnershipDecider, start);
  return commands.map((next) => {
    const before = state;
    state = partnershipDecider.decide(next, state).reduce(partnershipDecider.evolve, state);
    return { command: next, state: before };
  });
};

/** The commands the lifecycle fixture leaves out, each valid on the history it is given. */
const others: { command: PartnershipCommand; history: () => PartnershipEvent[] }[] = [
  {
    command: command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason: 'Travel' }),
    history: () => histories.introduced().slice(0, 2),
  },
  {
    command: command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'Scope', termMonths: 12 }),
    history: histories.agreementDrafted,
  },
  {
    command: command('CompleteJointProject', { projectId: PROJECT_ID, completedOn: '2025-03-09' }),
    history: histories.projectActive,
  },
  {
    command: command('WithdrawPartnership', { reason: 'Priorities changed' }),
    history: histories.proposed,
  },
  {
    command: command('ExpireAgreement', { agreementId: AGREEMENT_ID }, new Date('2027-03-06T00:00:00Z')),
    history: histories.agreementExecuted,
  },
];

const cases = [
  ...along(lifecycleCommands()),
  ...others.map(({ command: next, history }) => ({
    command: next,
    state: fold(partnershipDecider, history()),
  })),
];

describe('who may act for whom', () => {
  it('covers every partnership command', () => {
    const types = new Set(cases.map((c) => c.command.type));
    expect(types.size).toBe(17);
  });

  it('lets a party act on its partnership, and the decision is the one program staff would get', () => {
    for (const { command: next, state } of cases) {
      const party = signingFor(next) ?? POLE.id;
      expect({ type: next.type, refused: refusal(party, next, state)?.code ?? null }).toEqual({
        type: next.type,
        refused: null,
      });
      expect(partnershipDecider.decide(next, state).length).toBeGreaterThan(0);
    }
  });

  it('refuses an organisation that is not a party, whatever the command: 403 forbidden.out_of_scope', () => {
    for (const { command: next, state } of cases) {
      const refused = refusal(US_COMPANY.id, next, state);
      expect({ type: next.type, code: refused?.code, kind: refused?.kind }).toEqual({
        type: next.type,
        code: 'forbidden.out_of_scope',
        kind: 'forbidden',
      });
      expect(refused!.details).toMatchObject({ actingFor: US_COMPANY.id });
    }
  });

  it('lets a party record a signature for itself only, on agreements and MOUs alike', () => {
    const signatures = cases.filter((c) => signingFor(c.command) !== null);
    expect(signatures.map((c) => c.command.type)).toEqual([
      'SignAgreement',
      'SignAgreement',
      'SignMou',
      'SignMou',
    ]);
    for (const { command: next, state } of signatures) {
      const signer = signingFor(next)!;
      for (const party of PARTIES.filter((id) => id !== signer)) {
        const refused = refusal(party, next, state);
        expect(refused?.code).toBe('forbidden.out_of_scope');
        expect(refused!.details).toEqual({
          actingFor: party,
          partnershipId: PARTNERSHIP_ID,
          organizationId: signer,
        });
      }
    }
  });

  it('lets an organisation propose a partnership only with itself among the parties', () => {
    const proposal = (parties: string[]) =>
      command('ProposePartnership', {
        title: 'Bridge',
        parties,
        sectors: ['blue_economy'],
        axes: ['investment'],
      });
    const none = partnershipDecider.initialState();
    expect(refusal(IHUB.id, proposal([IHUB.id, POLE.id]), none)).toBeNull();
    expect(refusal(REGION.id, proposal([IHUB.id, POLE.id]), none)?.code).toBe('forbidden.out_of_scope');
    // Also when the id is already taken: the scope is judged on what is asked for.
    const taken = fold(partnershipDecider, histories.proposed());
    expect(refusal(GOBIZ.id, proposal([IHUB.id, POLE.id]), taken)?.code).toBe('forbidden.out_of_scope');
  });

  it('leaves an unknown partnership to the decider, which answers not found', () => {
    const none = partnershipDecider.initialState();
    const next = command('SuspendPartnership', { reason: 'Budget' });
    expect(refusal(US_COMPANY.id, next, none)).toBeNull();
    expect(() => partnershipDecider.decide(next, none)).toThrow(
      expect.objectContaining({ code: 'partnership.not_found' }),
    );
  });
});
