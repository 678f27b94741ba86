export const ORGANIZATION_KINDS = [
  'ihub',
  'pole',
  'region',
  'city',
  'agency',
  'tech_transfer',
  'research',
  'company',
  'association',
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** Kinds that may sign an MOU: governments (as agencies), regions and cities. */
export const GOVERNMENT_KINDS = ['region', 'city', 'agency'] as const satisfies readonly OrganizationKind[];

export const SECTORS = [
  'biotech_health',
  'blue_economy',
  'ict_digital',
  'aerospace',
  'mobility',
  'energy_cleantech',
  'agrifood',
  'chemicals_materials',
  'micro_nanotech',
  'secure_transactions',
  'digital_media_xr',
  'smart_territories',
] as const;
export type Sector = (typeof SECTORS)[number];

export const AXES = [
  'higher_education',
  'technology_transfer',
  'professional_development',
  'entrepreneurship_incubation',
  'business_development',
  'investment',
] as const;
export type Axis = (typeof AXES)[number];

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The two sides of every partnership. */
export const CALIFORNIA_COUNTRY = 'US';
export const FRANCE_COUNTRY = 'FR';

export const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);
