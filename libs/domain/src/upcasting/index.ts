import { currentEventVersions } from '../event-versions';
import { partnershipProposedV1ToV2 } from './partnership-proposed.v1';
import { createUpcaster } from './upcaster';

export * from './upcaster';
export * from './partnership-proposed.v1';

/** Every registered step, in any order; the upcaster chains them by version. */
export const UPCAST_STEPS = [partnershipProposedV1ToV2];

/** Brings a stored event to the current schema of its type: `{ type, version, data }` → the latest version. */
export const upcast = createUpcaster(currentEventVersions(), UPCAST_STEPS);
