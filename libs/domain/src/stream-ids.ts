/** Stream names. The category (before the first `-`) is one per aggregate. */
export const streamIdFor = {
  partnership: (partnershipId: string): string => `partnership-${partnershipId}`,
  organization: (organizationId: string): string => `organization-${organizationId}`,
  /** `key` from `organizationNameKey(country, name)`. */
  organizationName: (key: string): string => `organization_name-${key}`,
};
