import type { CommandBus } from '@nestjs/cqrs';
import { fail } from '@passerelle/domain';
import { PartnershipCommand } from '../commands/partnership-command';
import { CommandBusAgreementExpiry, SCHEDULER_ACTOR } from './command-bus-agreement-expiry';

const PARTNERSHIP = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001';
const AGREEMENT = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0201';

function busAnswering(answer: () => unknown) {
  const sent: PartnershipCommand[] = [];
  const bus = {
    execute: async (command: PartnershipCommand) => {
      sent.push(command);
      return answer();
    },
  } as unknown as CommandBus;
  return { bus, sent };
}

describe('the end of a term through the command bus', () => {
  it('sends ExpireAgreement as the scheduler, with the same command id every time', async () => {
    const { bus, sent } = busAnswering(() => ({ id: PARTNERSHIP, revision: 9, position: 42 }));
    const expiry = new CommandBusAgreementExpiry(bus);
    expect(await expiry.expire(PARTNERSHIP, AGREEMENT)).toBe('expired');
    expect(await expiry.expire(PARTNERSHIP, AGREEMENT)).toBe('expired');
    expect(sent.map((command) => [command.partnershipId, command.type, command.data])).toEqual([
      [PARTNERSHIP, 'ExpireAgreement', { agreementId: AGREEMENT }],
      [PARTNERSHIP, 'ExpireAgreement', { agreementId: AGREEMENT }],
    ]);
    expect(sent[0]!.context.actor).toBe(SCHEDULER_ACTOR);
    expect(sent[0]!.context.commandId).toBe(sent[1]!.context.commandId);
    expect(sent[0]!.context.requestHash).toBe(sent[1]!.context.requestHash);
  });

  it('tells an expiry already done, a term not yet ended and a refusal apart; other errors propagate', async () => {
    const outcome = (error: unknown) =>
      new CommandBusAgreementExpiry(
        busAnswering(() => {
          throw error;
        }).bus,
      ).expire(PARTNERSHIP, AGREEMENT);
    expect(await outcome(fail('agreement.already_expired', 'done'))).toBe('already_expired');
    expect(await outcome(fail('agreement.term_not_ended', 'later'))).toBe('not_due');
    expect(await outcome(fail('partnership.withdrawn', 'gone'))).toBe('refused');
    await expect(outcome(new Error('database down'))).rejects.toThrow('database down');
  });
});
