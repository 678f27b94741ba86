import type { Command } from '../shared/decider';
import type { CommandMetadata } from '../shared/metadata';

export type ReserveOrganizationName = Command<
  'ReserveOrganizationName',
  { key: string; organizationId: string; name: string; country: string },
  CommandMetadata
>;

export type OrganizationNameCommand = ReserveOrganizationName;
