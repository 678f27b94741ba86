import { currentEventVersions } from '../event-versions';
import { partnershipBusinessDateSteps } from './partnership-business-date';
import { partnershipProposedV1ToV2 } from './partnership-proposed.v1';
import { createUpcaster } from './upcaster';

export * from './upcaster';
export * from './partnership-proposed.v1';
export * from './partnership-business-date';

/** Every registered step, in any order; the upcaster chains them by version. */
export const UPCAST_STEPS = [partnershipProposedV1ToV2, ...partnershipBusinessDateSteps];

/** Brings a stored event to the current schema of its type: `{ type, version, data }` → the latest version. */
export const upcast = createUpcaster(currentEventVersions(), UPCAST_STEPS);
