import type { Command } from '../shared/decider';
import type { CommandMetadata } from '../shared/metadata';

export type ContactInput = {
  name: string;
  email: string;
  role?: string | null;
  language: string;
};

export type RegisterOrganization = Command<
  'RegisterOrganization',
  {
    id: string;
    name: string;
    kind: string;
    country: string;
    region: string;
    sectors: string[];
    website?: string | null;
    contacts: ContactInput[];
  },
  CommandMetadata
>;

export type OrganizationCommand = RegisterOrganization;
