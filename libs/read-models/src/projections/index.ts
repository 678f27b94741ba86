import type { AnyProjection } from '../runner/projection';
import { activityProjection } from './activity/activity.projection';
import { organizationsProjection } from './organizations/organizations.projection';
import { partnershipsProjection } from './partnerships/partnerships.projection';
import { streamsProjection } from './streams/streams.projection';

export * from './activity/activity.projection';
export * from './organizations/organizations.projection';
export * from './partnerships/partnership-row';
export * from './partnerships/partnerships.projection';
export * from './streams/streams.projection';

/** Every read model the application serves. */
export const READ_MODEL_PROJECTIONS: readonly AnyProjection[] = [
  organizationsProjection,
  partnershipsProjection,
  activityProjection,
  streamsProjection,
];

export const projectionNamed = (name: string): AnyProjection | undefined =>
  READ_MODEL_PROJECTIONS.find((projection) => projection.name === name);
