/**
 * Stream names. A name is `<category>-<id>`: the category, before the first `-`, is one per kind of
 * stream, and the id after it may hold more dashes (a UUID does). Code outside the domain asks these
 * functions instead of matching prefixes itself: `organization_name-…` starts with `organization`, and
 * only the whole category tells the two apart.
 */
export const STREAM_CATEGORIES = [
  'partnership',
  'organization',
  'organization_name',
  'person',
  'notifications',
] as const;

export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

const streamOf = (category: StreamCategory, id: string): string => `${category}-${id}`;

export const streamIdFor = {
  partnership: (partnershipId: string): string => streamOf('partnership', partnershipId),
  organization: (organizationId: string): string => streamOf('organization', organizationId),
  /** `key` from `organizationNameKey(country, name)`. */
  organizationName: (key: string): string => streamOf('organization_name', key),
  /** The erasures of one subject (the keyed hash the store knows a person by): `PersonForgotten`. */
  person: (subject: string): string => streamOf('person', subject),
  /** The record of a partnership's delivered notifications: `NotificationSent`. */
  notifications: (partnershipId: string): string => streamOf('notifications', partnershipId),
};

/** The part of a stream name before its first `-` (the whole name when it has none), as emmett's `categoryOf`. */
export const categoryOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
};

/** Whether the stream is one of the category's: its name is the category, a `-` and the id. */
export const isStreamOf = (category: StreamCategory, streamId: string): boolean =>
  streamId.startsWith(`${category}-`);

/** The id after the category (`partnership-<id>` → `<id>`); null for a stream of another category. */
export const idInStream = (category: StreamCategory, streamId: string): string | null =>
  isStreamOf(category, streamId) ? streamId.slice(category.length + 1) : null;

export const isPartnershipStream = (streamId: string): boolean => isStreamOf('partnership', streamId);

export const isOrganizationStream = (streamId: string): boolean => isStreamOf('organization', streamId);

export const isNotificationsStream = (streamId: string): boolean => isStreamOf('notifications', streamId);
