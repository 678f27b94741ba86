import type { PartnershipProposed } from '../partnership/events';
import { upcastStep } from './upcaster';

/** `PartnershipProposed` as first written: one sector, and the parties called organisations. */
export type PartnershipProposedV1Data = {
  partnershipId: string;
  title: string;
  description?: string | null;
  sector: string;
  organizations: string[];
  axes?: string[];
  occurredAt: string;
};

/** Version 2: as today, without the business date `on` (added by version 3). */
type PartnershipProposedV2Data = Omit<PartnershipProposed['data'], 'on'>;

/** v1 → v2: `sector` becomes `sectors: [sector]`, `organizations` becomes `parties`. */
export const partnershipProposedV1ToV2 = upcastStep<PartnershipProposedV1Data, PartnershipProposedV2Data>(
  'PartnershipProposed',
  1,
  ({ sector, organizations, description, axes, ...rest }) => ({
    ...rest,
    description: description ?? null,
    parties: organizations,
    sectors: [sector] as PartnershipProposedV2Data['sectors'],
    axes: (axes ?? []) as PartnershipProposedV2Data['axes'],
  }),
);
