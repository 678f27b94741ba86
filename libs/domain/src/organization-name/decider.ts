import { assertNever, Decider, ignoreUnknown } from '../shared/decider';
import { fail } from '../shared/errors';
import { requireText } from '../shared/validation';
import type { OrganizationNameCommand, ReserveOrganizationName } from './commands';
import type { OrganizationNameEvent } from './events';
import { organizationNameKey } from './key';

/** One stream per normalised name and country: the first organisation to reserve it holds it. */
export type OrganizationNameState =
  | { status: 'free' }
  | {
      status: 'reserved';
      key: string;
      organizationId: string;
      name: string;
      country: string;
      reservedAt: string;
    };

const reserve = (command: ReserveOrganizationName, state: OrganizationNameState): OrganizationNameEvent[] => {
  const { data, metadata } = command;
  const organizationId = requireText(data.organizationId, 'organizationId');
  const name = requireText(data.name, 'name');
  const country = requireText(data.country, 'country');
  const key = organizationNameKey(country, name);
  if (data.key !== key) {
    throw fail('organization.name_key_mismatch', `The reservation key for ${name} (${country}) is ${key}`, {
      key: data.key,
      expected: key,
    });
  }
  if (state.status === 'reserved') {
    if (state.organizationId === organizationId) return [];
    throw fail(
      'organization.name_taken',
      `An organisation named ${state.name} is already registered in ${country}`,
      {
        name: state.name,
        country: state.country,
        organizationId: state.organizationId,
      },
    );
  }
  return [
    {
      type: 'OrganizationNameReserved',
      data: { key, organizationId, name, country, occurredAt: metadata.now.toISOString() },
    },
  ];
};

export const organizationNameDecider: Decider<
  OrganizationNameCommand,
  OrganizationNameEvent,
  OrganizationNameState
> = {
  decide: (command, state) => {
    switch (command.type) {
      case 'ReserveOrganizationName':
        return reserve(command, state);
      default:
        return assertNever(command.type, 'organisation name command');
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrganizationNameReserved': {
        const { occurredAt, ...reservation } = event.data;
        return { status: 'reserved', ...reservation, reservedAt: occurredAt };
      }
      default:
        ignoreUnknown(event.type);
        return state;
    }
  },
  initialState: () => ({ status: 'free' }),
};
