import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import {
  collapseSpaces,
  normalizeEmail,
  optionalHttpUrl,
  optionalText,
  requireSectors,
  requireText,
} from '../shared/validation';
import { isOneOf, LANGUAGES, ORGANIZATION_KINDS } from '../shared/vocabulary';
import type { OrganizationCommand, RegisterOrganization } from './commands';
import type { Contact, OrganizationEvent } from './events';
import type { OrganizationState } from './state';

const COUNTRY = /^[A-Z]{2}$/;

const register = (command: RegisterOrganization, state: OrganizationState): OrganizationEvent[] => {
  const { data, metadata } = command;
  if (state.status === 'registered') {
    throw fail('organization.already_registered', `Organisation ${state.id} is already registered`, {
      organizationId: state.id,
    });
  }
  const organizationId = requireText(data.id, 'id');
  const name = collapseSpaces(requireText(data.name, 'name'));
  if (!isOneOf(ORGANIZATION_KINDS, data.kind)) {
    throw fail('organization.invalid_kind', `Unknown organisation kind ${String(data.kind)}`, {
      kind: data.kind,
      allowed: ORGANIZATION_KINDS,
    });
  }
  if (typeof data.country !== 'string' || !COUNTRY.test(data.country)) {
    throw fail(
      'organization.invalid_country',
      'country must be an ISO 3166-1 alpha-2 code such as US or FR',
      {
        country: data.country,
      },
    );
  }
  const region = requireText(data.region, 'region');
  const sectors = requireSectors(data.sectors, 'sectors', { atLeastOne: false });
  const website = optionalHttpUrl(data.website, 'website');
  const contacts = registerContacts(data.contacts);

  return [
    {
      type: 'OrganizationRegistered',
      data: {
        organizationId,
        name,
        kind: data.kind,
        country: data.country,
        region,
        sectors,
        website,
        contacts,
        occurredAt: metadata.now.toISOString(),
      },
    },
  ];
};

/** Notifications go to contacts, so an organisation needs at least one, each reachable once. */
const registerContacts = (inputs: RegisterOrganization['data']['contacts']): Contact[] => {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw fail('organization.contact_required', 'An organisation needs at least one contact');
  }
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const email = normalizeEmail(input.email, `contacts[${index}].email`);
    if (seen.has(email)) {
      throw fail('organization.duplicate_contact_email', `Contact e-mail ${email} appears more than once`, {
        email,
      });
    }
    seen.add(email);
    if (!isOneOf(LANGUAGES, input.language)) {
      throw fail('organization.invalid_language', 'A contact language must be en or fr', {
        field: `contacts[${index}].language`,
        language: input.language,
      });
    }
    return {
      name: collapseSpaces(requireText(input.name, `contacts[${index}].name`)),
      email,
      role: optionalText(input.role, `contacts[${index}].role`),
      language: input.language,
    };
  });
};

export const decideOrganization = (
  command: OrganizationCommand,
  state: OrganizationState,
): OrganizationEvent[] => {
  switch (command.type) {
    case 'RegisterOrganization':
      return register(command, state);
    default:
      return assertNever(command.type, 'organisation command');
  }
};
