import type { SqlExecutor } from '@passerelle/database';
import { mapOrganizationPersonalData, type Organization, personalValuesOf } from '@passerelle/domain';
import { clampLimit, likePattern, Page, Where } from './common';
import { PersonalDataOpener, readAsStored } from './personal-data';

export interface OrganizationFilters {
  country?: string;
  kind?: string;
  sector?: string;
  /** Words in the name (case-insensitive substring). */
  q?: string;
  limit?: number;
  offset?: number;
}

/** The directory entry: no contacts (people's names and addresses stay on the organisation's own page). */
export interface OrganizationSummary {
  id: string;
  name: string;
  kind: string;
  country: string;
  region: string;
  sectors: string[];
  website: string | null;
  registeredAt: string;
  /** Partnerships the organisation is a party to. */
  partnerships: number;
  revision: number;
}

export class OrganizationsQuery {
  constructor(
    private readonly db: SqlExecutor,
    private readonly open: PersonalDataOpener = readAsStored,
  ) {}

  async list(filters: OrganizationFilters): Promise<Page<OrganizationSummary>> {
    const limit = clampLimit(filters.limit);
    const offset = Math.max(Math.trunc(filters.offset ?? 0), 0);
    const where = new Where();
    if (filters.country) where.add(`country = ${where.param(filters.country.toUpperCase())}`);
    if (filters.kind) where.add(`kind = ${where.param(filters.kind)}`);
    if (filters.sector) where.add(`sectors @> ARRAY[${where.param(filters.sector)}::text]`);
    if (filters.q) where.add(`name ILIKE ${where.param(likePattern(filters.q))}`);
    const [{ total }] = (await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM rm_organizations ${where}`,
      where.params,
    )) as [{ total: number }];
    const rows = await this.db.query<{
      id: string;
      name: string;
      kind: string;
      country: string;
      region: string;
      sectors: string[];
      website: string | null;
      registered_at: Date;
      revision: number;
      partnerships: number;
    }>(
      `SELECT o.id, o.name, o.kind, o.country, o.region, o.sectors, o.website, o.registered_at, o.revision,
              (SELECT count(*)::integer FROM rm_partnerships p WHERE p.parties @> ARRAY[o.id::text]) AS partnerships
         FROM rm_organizations o ${where}
        ORDER BY lower(o.name), o.id
        LIMIT ${where.param(limit)} OFFSET ${where.param(offset)}`,
      where.params,
    );
    return {
      items: rows.map((row) => ({
        id: row.id,
        name: row.name,
        kind: row.kind,
        country: row.country,
        region: row.region,
        sectors: row.sectors,
        website: row.website,
        registeredAt: new Date(row.registered_at).toISOString(),
        partnerships: row.partnerships,
        revision: row.revision,
      })),
      total,
      limit,
      offset,
      nextCursor: null,
    };
  }

  /** The organisation as folded, its contacts opened, with its revision; null when unknown. */
  async get(id: string): Promise<(Organization & { revision: number }) | null> {
    const [row] = await this.db.query<{ state: Organization; revision: number }>(
      'SELECT state, revision FROM rm_organizations WHERE id = $1',
      [id],
    );
    if (!row) return null;
    const read = await this.open(personalValuesOf((map) => mapOrganizationPersonalData(row.state, map)));
    return { ...mapOrganizationPersonalData(row.state, read), revision: row.revision };
  }
}
