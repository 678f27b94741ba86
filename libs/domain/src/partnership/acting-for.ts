import { fail } from '../shared/errors';
import type { PartnershipCommand } from './commands';
import type { PartnershipState } from './state';

const listed = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const field = (data: unknown, name: string): unknown =>
  data && typeof data === 'object' ? (data as Record<string, unknown>)[name] : undefined;

/**
 * Who may act for whom. Someone who acts for one organisation may issue a command only on a partnership
 * that organisation is a party to (propose one only with it among the parties) and record a signature
 * (agreement or MOU) only for it. Nothing here applies to program staff, who act for no one organisation.
 * A partnership that does not exist is left to the decider (404): reads are not scoped, so its
 * existence is no secret.
 */
export const checkActingFor = (
  organizationId: string,
  command: { type: PartnershipCommand['type']; data: unknown },
  state: PartnershipState,
): void => {
  if (command.type === 'ProposePartnership') {
    const parties = listed(field(command.data, 'parties'));
    if (!parties.includes(organizationId)) {
      throw fail(
        'forbidden.out_of_scope',
        `Acting for organisation ${organizationId}, which is not among the proposed parties`,
        { actingFor: organizationId },
      );
    }
    return;
  }
  if (state.status === 'none') return;
  if (!state.parties.includes(organizationId)) {
    throw fail(
      'forbidden.out_of_scope',
      `Acting for organisation ${organizationId}, which is not a party to partnership ${state.id}`,
      { actingFor: organizationId, partnershipId: state.id },
    );
  }
  if (command.type === 'SignAgreement' || command.type === 'SignMou') {
    const signingFor = field(command.data, 'organizationId');
    if (signingFor !== organizationId) {
      throw fail(
        'forbidden.out_of_scope',
        `Acting for organisation ${organizationId}: a signature can be recorded only for it`,
        { actingFor: organizationId, partnershipId: state.id, organizationId: signingFor },
      );
    }
  }
};
